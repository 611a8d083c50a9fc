using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Kestrel endpoints that serve gRPC and HTTP/1.1 on one port, as etcd does: cleartext (h2c by
/// prior knowledge and HTTP/1.1, told apart by the first bytes) and TLS (ALPN h2 and http/1.1,
/// optionally mutual TLS against a custom CA). Call <see cref="AddGrpcTransport"/> on the services
/// and <see cref="ApplyLimits"/> once on the Kestrel options, then listen.
/// </summary>
public static class GrpcKestrel
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");
    private static int _detachedCount;

    /// <summary>
    /// Registers what a cleartext port needs: a transport for the detached endpoint whose HTTP/1.1
    /// pipeline the port borrows. Keeps Kestrel's socket transport registered (it is added first when missing).
    /// </summary>
    public static IServiceCollection AddGrpcTransport(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IConnectionListenerFactory, SocketTransportFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, DetachedListenerFactory>());
        return services;
    }

    /// <summary>Sets the server-wide limits long-lived gRPC streams need (see <see cref="GrpcKestrelLimits"/>).</summary>
    public static void ApplyLimits(KestrelServerOptions options, GrpcKestrelLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        limits ??= new GrpcKestrelLimits();
        options.AddServerHeader = false;
        options.Limits.MinRequestBodyDataRate = null;
        options.Limits.MinResponseDataRate = null;
        options.Limits.MaxRequestBodySize = null;
        options.Limits.Http2.MaxStreamsPerConnection = limits.MaxStreamsPerConnection;
        options.Limits.Http2.InitialConnectionWindowSize = limits.InitialConnectionWindowSize;
        options.Limits.Http2.InitialStreamWindowSize = limits.InitialStreamWindowSize;
    }

    /// <summary>
    /// A cleartext port serving h2c gRPC and HTTP/1.1. Returns the port's listen options; after the
    /// server has started, its <c>IPEndPoint</c> holds the bound port (useful with port 0).
    /// </summary>
    public static ListenOptions ListenCleartext(KestrelServerOptions options, IPEndPoint endPoint, GrpcKestrelLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endPoint);
        var timeout = (limits ?? new GrpcKestrelLimits()).ProtocolSniffTimeout;
        if (options.ApplicationServices is { } services && !HasDetachedTransport(services))
        {
            throw new InvalidOperationException("a cleartext gRPC and HTTP/1.1 port needs services.AddGrpcTransport() (the detached HTTP/1.1 endpoint's transport)");
        }

        var http1 = new Http1Pipeline();

        // Bound first, so its pipeline exists before the public port accepts anything.
        var name = $"kvasir-http1-behind-{endPoint}-{Interlocked.Increment(ref _detachedCount)}";
        options.Listen(new DetachedEndPoint(name), detached =>
        {
            detached.Protocols = HttpProtocols.Http1;
            detached.Use(next =>
            {
                http1.Set(next);
                return next;
            });
        });

        ListenOptions? result = null;
        options.Listen(endPoint, port =>
        {
            port.Protocols = HttpProtocols.Http2;
            port.Use(next => new ProtocolSniffer(next, http1, timeout).OnConnectionAsync);
            result = port;
        });
        return result!;
    }

    /// <summary>A TLS port serving gRPC (ALPN h2) and HTTP/1.1 (ALPN http/1.1), with optional client certificates.</summary>
    public static ListenOptions ListenTls(KestrelServerOptions options, IPEndPoint endPoint, GrpcTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.ServerCertificate.HasPrivateKey)
        {
            throw new ArgumentException($"the server certificate {tls.ServerCertificate.Subject} has no private key", nameof(tls));
        }

        var https = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.ServerCertificate,
            ClientCertificateMode = tls.ClientCertificateMode,
            HandshakeTimeout = tls.HandshakeTimeout,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
        if (tls.ClientCertificateAuthorities is { } authorities)
        {
            https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, authorities);
        }

        ListenOptions? result = null;
        options.Listen(endPoint, port =>
        {
            port.Protocols = HttpProtocols.Http1AndHttp2;
            port.UseHttps(https);
            result = port;
        });
        return result!;
    }

    private static bool HasDetachedTransport(IServiceProvider services)
    {
        foreach (var factory in services.GetServices<IConnectionListenerFactory>())
        {
            if (factory is DetachedListenerFactory)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> and may authenticate a client.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }
}
