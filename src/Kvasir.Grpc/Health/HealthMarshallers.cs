using System.Buffers;
using Google.Protobuf;

namespace Kvasir.Grpc.Health;

/// <summary>
/// The two health messages encoded by hand with CodedOutputStream/CodedInputStream: Kvasir.Grpc
/// does not depend on Kvasir.Api's generated types. Unknown fields are skipped, as protobuf does.
/// </summary>
public static class HealthMarshallers
{
    private const uint ServiceTag = (1 << 3) | 2; // field 1, length-delimited
    private const uint StatusTag = (1 << 3) | 0; // field 1, varint

    public static Marshaller<HealthCheckRequest> Request { get; } = new RequestMarshaller();

    public static Marshaller<HealthCheckResponse> Response { get; } = new ResponseMarshaller();

    private sealed class RequestMarshaller : Marshaller<HealthCheckRequest>
    {
        public override HealthCheckRequest Deserialize(in ReadOnlySequence<byte> payload)
        {
            var input = new CodedInputStream(payload.ToArray());
            var service = "";
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == ServiceTag)
                {
                    service = input.ReadString();
                }
                else
                {
                    input.SkipLastField();
                }
            }

            return new HealthCheckRequest(service);
        }

        public override int CalculateSize(HealthCheckRequest message) =>
            message.Service.Length == 0 ? 0 : CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeStringSize(message.Service);

        public override void Serialize(HealthCheckRequest message, Span<byte> destination)
        {
            if (message.Service.Length == 0)
            {
                return;
            }

            var bytes = new byte[destination.Length];
            var output = new CodedOutputStream(bytes);
            output.WriteTag(ServiceTag);
            output.WriteString(message.Service);
            output.Flush();
            bytes.CopyTo(destination);
        }
    }

    private sealed class ResponseMarshaller : Marshaller<HealthCheckResponse>
    {
        public override HealthCheckResponse Deserialize(in ReadOnlySequence<byte> payload)
        {
            var input = new CodedInputStream(payload.ToArray());
            var status = ServingStatus.Unknown;
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == StatusTag)
                {
                    status = (ServingStatus)input.ReadEnum();
                }
                else
                {
                    input.SkipLastField();
                }
            }

            return new HealthCheckResponse(status);
        }

        public override int CalculateSize(HealthCheckResponse message) =>
            message.Status == ServingStatus.Unknown ? 0 : CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeEnumSize((int)message.Status);

        public override void Serialize(HealthCheckResponse message, Span<byte> destination)
        {
            if (message.Status == ServingStatus.Unknown)
            {
                return;
            }

            var bytes = new byte[destination.Length];
            var output = new CodedOutputStream(bytes);
            output.WriteTag(StatusTag);
            output.WriteEnum((int)message.Status);
            output.Flush();
            bytes.CopyTo(destination);
        }
    }
}
