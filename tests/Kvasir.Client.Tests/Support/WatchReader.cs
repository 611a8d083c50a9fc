using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Client.Tests.Support;

/// <summary>Reads a watch in a test: every wait bounded, the watch cancelled on dispose.</summary>
public sealed class WatchReader : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _cancel = new(Bound * 3);
    private readonly IAsyncEnumerator<WatchResponse> _enumerator;

    private WatchReader(Func<CancellationToken, IAsyncEnumerable<WatchResponse>> watch)
    {
        _enumerator = watch(_cancel.Token).GetAsyncEnumerator(_cancel.Token);
    }

    /// <summary>Starts the watch and waits for the server's "created" (the options must ask for it).</summary>
    public static async Task<WatchReader> CreatedAsync(WatchClient client, string key, WatchOptions options)
    {
        var reader = new WatchReader(token => client.WatchAsync(key, options with { CreatedNotify = true }, token));
        var created = await reader.NextAsync();
        Assert.True(created.Created, "the first response of a watch with CreatedNotify is its creation");
        return reader;
    }

    /// <summary>Starts the watch without waiting (for watches from a past revision, or expected to fail).</summary>
    public static WatchReader Start(WatchClient client, string key, WatchOptions options) =>
        new(token => client.WatchAsync(key, options, token));

    /// <summary>The next response; fails the test after <see cref="Bound"/> or when the watch ended.</summary>
    public async Task<WatchResponse> NextAsync()
    {
        var next = _enumerator.MoveNextAsync().AsTask();
        var done = await Task.WhenAny(next, Task.Delay(Bound));
        Assert.True(done == next, $"no watch response within {Bound.TotalSeconds} s");
        Assert.True(await next, "the watch ended");
        return _enumerator.Current;
    }

    /// <summary>Events until <paramref name="count"/> have arrived (progress notifications skipped).</summary>
    public async Task<List<Event>> EventsAsync(int count)
    {
        var events = new List<Event>();
        while (events.Count < count)
        {
            events.AddRange((await NextAsync()).Events);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        try
        {
            await _enumerator.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
        }

        _cancel.Dispose();
    }
}
