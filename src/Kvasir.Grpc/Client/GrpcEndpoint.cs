using System.Collections.Concurrent;

namespace Kvasir.Grpc.Client;

/// <summary>One server address of a channel, with the request URIs of the methods called on it cached.</summary>
public sealed class GrpcEndpoint
{
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    private GrpcEndpoint(Uri address)
    {
        Address = address;
    }

    /// <summary><c>http://host:port</c> or <c>https://host:port</c>.</summary>
    public Uri Address { get; }

    public bool IsTls => Address.Scheme == Uri.UriSchemeHttps;

    public override string ToString() => Address.GetLeftPart(UriPartial.Authority);

    /// <summary>Parses <c>http://host:port</c>, <c>https://host:port</c> or <c>host:port</c> (cleartext, as etcdctl takes it).</summary>
    public static GrpcEndpoint Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/"
            || !string.IsNullOrEmpty(uri.Query))
        {
            throw new ArgumentException($"endpoint '{text}' is not http://host:port, https://host:port or host:port", nameof(text));
        }

        return new GrpcEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"));
    }

    internal Uri UriFor(string fullName)
    {
        if (_uris.TryGetValue(fullName, out var uri))
        {
            return uri;
        }

        return _uris.GetOrAdd(fullName, static (path, root) => new Uri(root, path), Address);
    }
}
