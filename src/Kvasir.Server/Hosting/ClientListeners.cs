using System.Net;
using System.Security.Cryptography.X509Certificates;
using Kvasir.Grpc.Hosting;
using Kvasir.Server.Config;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Kvasir.Server.Hosting;

/// <summary>
/// Binds the client URLs on Kestrel: each serves gRPC and HTTP/1.1 on one port, as etcd's do —
/// cleartext for <c>http://</c>, TLS with ALPN for <c>https://</c> (mutual TLS with
/// <c>--client-cert-auth</c>). <c>localhost</c> binds the IPv4 loopback, as etcd's Go resolver does.
/// </summary>
public static class ClientListeners
{
    /// <summary>Adds one Kestrel endpoint per URL; returns their listen options (the bound ports are known after start).</summary>
    public static IReadOnlyList<ListenOptions> Bind(KestrelServerOptions kestrel, IEnumerable<Uri> urls, TlsSettings tls)
    {
        var bound = new List<ListenOptions>();
        GrpcTlsOptions? tlsOptions = null;
        foreach (var url in urls)
        {
            var endPoint = new IPEndPoint(url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
            if (url.Scheme == "https")
            {
                tlsOptions ??= LoadTls(tls);
                bound.Add(GrpcKestrel.ListenTls(kestrel, endPoint, tlsOptions));
            }
            else if (url.Scheme == "http")
            {
                bound.Add(GrpcKestrel.ListenCleartext(kestrel, endPoint));
            }
            else
            {
                throw new ConfigException($"listen URL scheme \"{url.Scheme}\" is not supported by Kvasir ({url})");
            }
        }

        return bound;
    }

    /// <summary>The server certificate and, for mutual TLS, the client CAs, from etcd's PEM files.</summary>
    public static GrpcTlsOptions LoadTls(TlsSettings tls)
    {
        if (tls.CertFile.Length == 0)
        {
            throw new ConfigException(tls.AutoTls
                ? "--auto-tls is not supported yet: give --cert-file and --key-file"
                : "an https:// client URL needs --cert-file and --key-file");
        }

        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);

            // Kestrel needs a certificate whose key is usable by the TLS stack: reload it as PKCS#12.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new ConfigException($"cannot load the client TLS certificate {tls.CertFile} with key {tls.KeyFile}: {e.Message}");
        }

        X509Certificate2Collection? authorities = null;
        if (tls.TrustedCaFile.Length > 0)
        {
            authorities = [];
            try
            {
                authorities.ImportFromPemFile(tls.TrustedCaFile);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
            {
                throw new ConfigException($"cannot load the trusted CA file {tls.TrustedCaFile}: {e.Message}");
            }
        }

        return new GrpcTlsOptions
        {
            ServerCertificate = certificate,
            ClientCertificateMode = tls.ClientCertAuth ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
            ClientCertificateAuthorities = authorities,
        };
    }
}
