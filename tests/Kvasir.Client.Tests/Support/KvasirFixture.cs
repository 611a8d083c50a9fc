using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>A real kvasir member.</summary>
public sealed class KvasirFixture : ServerFixture
{
    public KvasirFixture()
        : base(ServerKind.Kvasir)
    {
    }

    protected override async Task<(IAsyncDisposable Server, int Port, int Pid)> LaunchAsync()
    {
        var kvasir = await KvasirProcess.StartAsync();
        return (kvasir, kvasir.ClientPort, kvasir.Pid);
    }
}
