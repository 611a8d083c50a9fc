using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kvasir.Testing;

/// <summary>
/// Throwaway certificates made in the test: a CA, a server certificate for 127.0.0.1 and localhost,
/// a client certificate it signs (its CN is the user name etcd's client-cert auth sees), a client
/// certificate from a CA nobody trusts, and the PEM files a server takes.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client, X509Certificate2 stranger)
    {
        Ca = ca;
        Server = server;
        Client = client;
        Stranger = stranger;
    }

    public X509Certificate2 Ca { get; }

    /// <summary>CN=kvasir-server, SAN IP 127.0.0.1, signed by <see cref="Ca"/>.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>CN=alice, client authentication, signed by <see cref="Ca"/>.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>CN=mallory, client authentication, signed by a CA the server does not trust.</summary>
    public X509Certificate2 Stranger { get; }

    public X509Certificate2Collection CaCollection => [Ca];

    /// <summary>Makes a CA, a server certificate, a client certificate for <paramref name="clientName"/> and a stranger's.</summary>
    public static TestCertificates Create(string clientName = "alice")
    {
        var ca = SelfSignedCa("CN=kvasir-test-ca");
        using var otherCa = SelfSignedCa("CN=somebody-else-ca");
        return new TestCertificates(
            ca,
            Issue(ca, "CN=kvasir-server", serverAuth: true),
            Issue(ca, "CN=" + clientName, serverAuth: false),
            Issue(otherCa, "CN=mallory", serverAuth: false));
    }

    /// <summary>Writes <c>ca.pem</c>, <c>server.pem</c> and <c>server-key.pem</c> into <paramref name="dir"/>.</summary>
    public (string Ca, string Cert, string Key) WriteServerFiles(string dir)
    {
        var ca = Path.Combine(dir, "ca.pem");
        var cert = Path.Combine(dir, "server.pem");
        var key = Path.Combine(dir, "server-key.pem");
        File.WriteAllText(ca, Ca.ExportCertificatePem());
        File.WriteAllText(cert, Server.ExportCertificatePem());
        using var ecdsa = Server.GetECDsaPrivateKey()!;
        File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        return (ca, cert, key);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
        Stranger.Dispose();
    }

    private static X509Certificate2 SelfSignedCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Reload(ca);
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var cert = request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using var withKey = cert.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Through PKCS#12 and back, so the private key is usable by TLS on every platform.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
