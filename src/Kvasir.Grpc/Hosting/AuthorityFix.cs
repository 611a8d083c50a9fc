using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Connection middleware in front of Kestrel's HTTP/2 (on a cleartext port, after the sniffer chose HTTP/2): reads the connection through an
/// <see cref="AuthorityFixReader"/>, so that an etcd client that dials <c>http://host:port</c>
/// (its whole endpoint as the :authority) is served as etcd serves it. A TLS connection that did not
/// choose h2 is left alone. The transport's output is untouched.
/// </summary>
internal sealed class AuthorityFix(ConnectionDelegate next, bool tls)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        // Behind TLS, only a connection that chose h2 by ALPN speaks HTTP/2 (no ALPN is HTTP/1.1).
        if (tls && connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) != true)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var transport = connection.Transport;
        connection.Transport = new Duplex(new AuthorityFixReader(transport.Input), transport.Output);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
