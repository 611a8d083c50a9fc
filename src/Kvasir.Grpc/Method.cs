namespace Kvasir.Grpc;

/// <summary>
/// One gRPC method: its shape, its path <c>/package.Service/Method</c> and how its messages are
/// (de)serialised. The same descriptor serves the server's routing table and the client's calls.
/// </summary>
public sealed class Method<TRequest, TResponse>
{
    public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (serviceName.Contains('/') || name.Contains('/'))
        {
            throw new ArgumentException($"service '{serviceName}' and method '{name}' must not contain '/'");
        }

        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
    }

    public MethodType Type { get; }

    /// <summary>The fully qualified service name, e.g. <c>etcdserverpb.KV</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method's name within the service, e.g. <c>Range</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, <c>/etcdserverpb.KV/Range</c>.</summary>
    public string FullName { get; }

    public Marshaller<TRequest> RequestMarshaller { get; }

    public Marshaller<TResponse> ResponseMarshaller { get; }

    public override string ToString() => FullName;
}
