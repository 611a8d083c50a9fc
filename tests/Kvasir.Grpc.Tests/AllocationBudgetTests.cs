using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Tests.Support;
using Xunit.Abstractions;

namespace Kvasir.Grpc.Tests;

/// <summary>Runs alone: it counts every byte the process allocates while it calls.</summary>
[CollectionDefinition(nameof(AllocationBudget), DisableParallelization = true)]
public sealed class AllocationBudget
{
    /// <summary>Client and server together, per unary call on loopback. Measured: about 5,000 B
    /// (4,600 of them in SocketsHttpHandler and HttpRequestMessage); the budget leaves room for noise, not for a regression.</summary>
    public const int UnaryBytesPerCall = 7_000;
}

/// <summary>Allocations per call, as data: a regression beyond the budget fails the test (speed is the benchmark's business).</summary>
[Collection(nameof(AllocationBudget))]
public sealed class AllocationBudgetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnaryCall_ClientAndServer_WithinTheBudget()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var request = new RangeRequest { Key = ByteString.CopyFromUtf8("budget") };
        for (var i = 0; i < 500; i++)
        {
            await channel.UnaryAsync(EtcdMethods.Range, request);
        }

        const int calls = 3000;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            await channel.UnaryAsync(EtcdMethods.Range, request);
        }

        var perCall = (GC.GetTotalAllocatedBytes(precise: true) - before) / calls;
        output.WriteLine($"{perCall} B per unary call (client and server)");
        Assert.True(perCall <= AllocationBudget.UnaryBytesPerCall, $"{perCall} B per unary call, budget {AllocationBudget.UnaryBytesPerCall} B");
    }
}
