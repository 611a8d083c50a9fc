using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>What a watch covers and what it reports. The default watches one key from the next revision on.</summary>
public sealed record WatchOptions
{
    /// <summary>Watches [key, RangeEnd). Exclusive with <see cref="Prefix"/> and <see cref="FromKey"/>.</summary>
    public ByteString? RangeEnd { get; init; }

    /// <summary>Watches every key that starts with the key.</summary>
    public bool Prefix { get; init; }

    /// <summary>Watches every key greater than or equal to the key.</summary>
    public bool FromKey { get; init; }

    /// <summary>The first revision reported (inclusive); 0 means changes after now. A revision older than the
    /// compaction ends the watch with <see cref="EtcdCompactedException"/>.</summary>
    public long StartRevision { get; init; }

    /// <summary>Events carry the key's previous value in <c>PrevKv</c>.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Leaves out PUT events.</summary>
    public bool NoPut { get; init; }

    /// <summary>Leaves out DELETE events.</summary>
    public bool NoDelete { get; init; }

    /// <summary>Asks the server for periodic empty responses carrying its revision when nothing happens
    /// (<c>--watch-progress-notify-interval</c>); see <see cref="WatchResponseExtensions.IsProgressNotify"/>.</summary>
    public bool ProgressNotify { get; init; }

    /// <summary>Lets the server split very large responses; the client joins the fragments before yielding.</summary>
    public bool Fragment { get; init; }

    /// <summary>Yields the server's "created" response first (no events; its header has the revision the watch started at).</summary>
    public bool CreatedNotify { get; init; }

    internal WatchCreateRequest ToCreateRequest(ByteString key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var (start, end) = KeyRange.Resolve(key, RangeEnd, Prefix, FromKey);
        if (StartRevision < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StartRevision), StartRevision, "must not be negative (0 means from now on)");
        }

        if (NoPut && NoDelete)
        {
            throw new ArgumentException("NoPut and NoDelete together leave nothing to watch");
        }

        var request = new WatchCreateRequest
        {
            Key = start,
            RangeEnd = end,
            StartRevision = StartRevision,
            PrevKv = PrevKv,
            ProgressNotify = ProgressNotify,
            Fragment = Fragment,
        };
        if (NoPut)
        {
            request.Filters.Add(WatchCreateRequest.Types.FilterType.Noput);
        }

        if (NoDelete)
        {
            request.Filters.Add(WatchCreateRequest.Types.FilterType.Nodelete);
        }

        return request;
    }
}
