using Google.Protobuf;

namespace Kvasir.Grpc;

/// <summary>Shorthand for methods whose messages are generated protobuf types.</summary>
public static class Method
{
    public static Method<TRequest, TResponse> Create<TRequest, TResponse>(MethodType type, string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        new(type, serviceName, name, Marshallers.Protobuf(requestParser), Marshallers.Protobuf(responseParser));
}
