using System.Security.Cryptography.X509Certificates;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>Certificate checks for the tests' plain HttpClients.</summary>
internal static class GrpcKestrelTestHooks
{
    public static bool IssuedBy(X509Certificate certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
