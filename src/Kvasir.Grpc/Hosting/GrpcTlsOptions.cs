using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Kvasir.Grpc.Hosting;

/// <summary>TLS for a client port: the server's certificate and, for mutual TLS, the CAs client certificates must chain to.</summary>
public sealed class GrpcTlsOptions
{
    /// <summary>The server's certificate, with its private key.</summary>
    public required X509Certificate2 ServerCertificate { get; init; }

    /// <summary>Whether clients must (etcd's <c>--client-cert-auth</c>), may or must not present a certificate.</summary>
    public ClientCertificateMode ClientCertificateMode { get; init; } = ClientCertificateMode.NoCertificate;

    /// <summary>The CAs a client certificate must chain to (etcd's <c>--trusted-ca-file</c>); null means the system's trust store.</summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; init; }

    /// <summary>How long a TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
