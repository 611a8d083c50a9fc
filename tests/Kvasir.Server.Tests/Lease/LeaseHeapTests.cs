using Kvasir.Server.Lease;

namespace Kvasir.Server.Tests.Lease;

/// <summary>The indexed heap behind expiry and checkpoint queues, checked against a sorted model.</summary>
public sealed class LeaseHeapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SetRemovePeek_RandomOperations_MatchASortedModel(int seed)
    {
        var random = new Random(seed);
        var heap = new LeaseHeap(checkpoints: false);
        var leases = Enumerable.Range(1, 64).Select(i => new Server.Lease.Lease(i, 10, 0)).ToArray();
        var model = new Dictionary<long, long>();
        for (var step = 0; step < 5000; step++)
        {
            var lease = leases[random.Next(leases.Length)];
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    var due = random.Next(1000);
                    heap.Set(lease, due);
                    model[lease.Id] = due;
                    break;
                case 2:
                    heap.Remove(lease);
                    model.Remove(lease.Id);
                    break;
                default:
                    if (model.Count > 0)
                    {
                        var top = heap.Peek();
                        var expected = model.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).First();
                        Assert.True(expected.Key == top.Id, $"seed {seed} step {step}: top {top.Id}, model {expected.Key}; replay: dotnet test --filter LeaseHeapTests");
                        Assert.Equal(expected.Value, heap.DueOf(top));
                    }

                    break;
            }

            Assert.Equal(model.Count, heap.Count);
        }

        heap.Clear();
        Assert.All(leases, l => Assert.False(heap.Contains(l)));
    }

    [Fact]
    public void AddIfAbsent_AlreadyQueued_KeepsTheEarlierDueTime()
    {
        var heap = new LeaseHeap(checkpoints: true);
        var lease = new Server.Lease.Lease(1, 10, 0);
        heap.AddIfAbsent(lease, 5);
        heap.AddIfAbsent(lease, 9);
        Assert.Equal(5, heap.DueOf(lease));
        Assert.Equal(1, heap.Count);
    }
}
