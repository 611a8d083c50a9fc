namespace Kvasir.Server.Member;

/// <summary>
/// etcd's request id generator (idutil.Generator): the top 16 bits are the low 16 bits of the
/// member id; the low 48 bits start at (Unix milliseconds at start, low 40 bits) shifted left by 8
/// and count up by one per id. Ids from one member never repeat while it runs, and a restart
/// (milliseconds later) starts beyond the ids it handed out before unless it issued more than 256
/// per millisecond for the whole previous run. Thread-safe.
/// </summary>
public sealed class RequestIdGenerator
{
    private const int TimestampBits = 40;
    private const int CounterBits = 8;
    private const int SuffixBits = TimestampBits + CounterBits;
    private const ulong SuffixMask = (1UL << SuffixBits) - 1;

    private readonly ulong _prefix;
    private long _suffix;

    public RequestIdGenerator(ulong memberId, DateTimeOffset now)
    {
        _prefix = (memberId & 0xFFFF) << SuffixBits;
        var millis = (ulong)now.ToUnixTimeMilliseconds();
        _suffix = (long)((millis & ((1UL << TimestampBits) - 1)) << CounterBits);
    }

    /// <summary>The next id.</summary>
    public ulong Next() => _prefix | ((ulong)Interlocked.Increment(ref _suffix) & SuffixMask);
}
