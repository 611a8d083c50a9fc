using System.Net;
using Kvasir.Server.Config;
using Kvasir.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Kvasir.Server.Gateway;

/// <summary>
/// What each listener serves, as etcd splits it. <c>--listen-metrics-urls</c>: HTTP/1.1 listeners that
/// answer only <c>/metrics</c> and <c>/health</c> (etcd's metrics mux), everything else Go's
/// <c>404 page not found</c>. <c>--listen-client-http-urls</c> (etcd 3.5's flag): HTTP/1.1 listeners for the
/// gateway and the HTTP endpoints; the client URLs then no longer serve the gateway (404). Unlike etcd
/// 3.5, they keep /health, /metrics and /version, which probes pointed at a client URL rely on. The extra listeners are plain Kestrel endpoints, so a request's local port tells its role.
/// Used as middleware before the gRPC router.
/// </summary>
public sealed class ListenerRoles
{
    private readonly MemberConfig _config;
    private readonly HashSet<int> _metricsPorts = [];
    private readonly HashSet<int> _httpPorts = [];

    /// <summary>The roles of <paramref name="config"/>'s listeners (bound later by <see cref="Bind"/>).</summary>
    public ListenerRoles(MemberConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        foreach (var url in config.ListenMetricsUrls)
        {
            _metricsPorts.Add(url.Port);
        }

        foreach (var url in config.ListenClientHttpUrls)
        {
            _httpPorts.Add(url.Port);
        }
    }

    /// <summary>Binds the metrics and client-HTTP listeners on Kestrel.</summary>
    public void Bind(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        foreach (var url in _config.ListenMetricsUrls.Concat(_config.ListenClientHttpUrls))
        {
            Listen(kestrel, url, _config.ClientTls);
        }
    }

    /// <summary>True when there is a metrics or client-HTTP listener (otherwise the step is left out of the pipeline).</summary>
    public bool Active => _metricsPorts.Count > 0 || _httpPorts.Count > 0;

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        if (_metricsPorts.Count == 0 && _httpPorts.Count == 0)
        {
            return next(http);
        }

        var port = http.Connection.LocalPort;
        var path = http.Request.Path.Value ?? "";
        if (_metricsPorts.Contains(port))
        {
            return path is "/metrics" or "/health" ? next(http) : NotFoundAsync(http);
        }

        if (_httpPorts.Contains(port))
        {
            return next(http);
        }

        // A client URL: with HTTP listeners of their own, the gateway is theirs.
        var gateway = path.StartsWith("/v3/", StringComparison.Ordinal) || path.StartsWith("/v3beta/", StringComparison.Ordinal);
        return _httpPorts.Count > 0 && gateway ? NotFoundAsync(http) : next(http);
    }

    private static Task NotFoundAsync(HttpContext http) => GatewayResponses.WriteTextAsync(http, StatusCodes.Status404NotFound, "404 page not found");

    private static void Listen(KestrelServerOptions kestrel, Uri url, TlsSettings tls)
    {
        var endPoint = new IPEndPoint(url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
        if (url.Scheme is not ("http" or "https"))
        {
            throw new ConfigException($"listen URL scheme \"{url.Scheme}\" is not supported by Kvasir ({url})");
        }

        var certificate = url.Scheme == "https" ? ClientListeners.LoadTls(tls) : null;
        kestrel.Listen(endPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate.ServerCertificate,
                    ClientCertificateMode = certificate.ClientCertificateMode,
                });
            }
        });
    }
}
