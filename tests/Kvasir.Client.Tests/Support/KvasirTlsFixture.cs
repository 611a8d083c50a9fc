using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>A kvasir member over TLS with client certificates.</summary>
public sealed class KvasirTlsFixture : TlsServerFixture
{
    public KvasirTlsFixture()
        : base(ServerKind.Kvasir)
    {
    }

    protected override (string File, string[] Prefix) Command() => ("dotnet", [KvasirProcess.Dll]);
}
