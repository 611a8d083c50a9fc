using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Grpc.Server;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>Handlers of every shape for the layer's own tests, with messages from Kvasir.Api.</summary>
internal static class Shapes
{
    /// <summary>Range answers its key back; RangeEach streams <c>limit</c> answers; PutMany counts puts and value bytes; Echo echoes each put.</summary>
    public static void Register(GrpcRouter router)
    {
        router.AddUnary(EtcdMethods.Range, (request, _) => new ValueTask<RangeResponse>(new RangeResponse
        {
            Header = new ResponseHeader { Revision = 7 },
            Kvs = { new KeyValue { Key = request.Key, Value = ByteString.CopyFromUtf8("value") } },
            Count = 1,
        }));
        router.AddServerStreaming(EtcdMethods.RangeEach, async (request, responses, context) =>
        {
            for (var i = 0; i < request.Limit; i++)
            {
                await responses.WriteAsync(new RangeResponse { Count = i }, context.CancellationToken);
            }
        });
        router.AddClientStreaming(EtcdMethods.PutMany, async (requests, context) =>
        {
            long count = 0, bytes = 0;
            await foreach (var put in requests.ReadAllAsync(context.CancellationToken))
            {
                count++;
                bytes += put.Value.Length;
            }

            return new RangeResponse { Count = count, Header = new ResponseHeader { Revision = bytes } };
        });
        router.AddDuplexStreaming(EtcdMethods.Echo, async (requests, responses, context) =>
        {
            await foreach (var put in requests.ReadAllAsync(context.CancellationToken))
            {
                await responses.WriteAsync(new PutResponse { Header = new ResponseHeader { Revision = put.Value.Length }, PrevKv = new KeyValue { Key = put.Key } }, context.CancellationToken);
            }
        });
    }
}
