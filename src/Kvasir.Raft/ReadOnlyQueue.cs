using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Raft.Quorum;

namespace Kvasir.Raft;

/// <summary>
/// The leader's ReadIndex requests waiting for a quorum to confirm its leadership (the safe mode).
/// Requests are numbered 1, 2, ... in arrival order; a heartbeat carries the number of the latest
/// request (8 bytes, little-endian) and the follower echoes it. When a quorum has echoed number n,
/// every request up to n is confirmed: the heartbeat was sent after the request arrived, and a
/// quorum still followed this leader then, so no newer leader can have committed anything the
/// request's index misses. One heartbeat round thus confirms any number of reads.
/// </summary>
/// <remarks>A new term starts a new queue: confirmations never cross terms.</remarks>
internal sealed class ReadOnlyQueue : IAckedIndexer
{
    private readonly Dictionary<ulong, ulong> _acks = [];
    private readonly Queue<(Message Request, ulong Index)> _unconfirmed = new();
    private readonly List<(Message Request, ulong Index)> _confirmedScratch = [];

    // The number of requests confirmed so far; the unconfirmed ones follow it.
    private ulong _confirmed;

    public ReadOnlyQueue(ReadOnlyOption option)
    {
        Option = option;
    }

    public ReadOnlyOption Option { get; }

    public int PendingCount => _unconfirmed.Count;

    /// <summary>Queues a request whose answer is <paramref name="commitIndex"/> once confirmed.</summary>
    public void AddRequest(ulong commitIndex, Message request) => _unconfirmed.Enqueue((request, commitIndex));

    /// <summary>The number of the latest request: what a heartbeat sent now confirms.</summary>
    public ulong LatestPosition => _confirmed + (ulong)_unconfirmed.Count;

    /// <summary>The context for a heartbeat sent now: the latest request's number, or empty when none waits.</summary>
    public ByteString HeartbeatContext()
    {
        if (_unconfirmed.Count == 0)
        {
            return ByteString.Empty;
        }

        var buf = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, LatestPosition);
        return UnsafeByteOperations.UnsafeWrap(buf);
    }

    /// <summary>Records that <paramref name="from"/> answered a heartbeat carrying <paramref name="ctx"/>. Contexts of another shape are ignored.</summary>
    public void RecvAck(ulong from, ByteString ctx)
    {
        if (ctx.Length != 8)
        {
            return;
        }

        Ack(from, BinaryPrimitives.ReadUInt64LittleEndian(ctx.Span));
    }

    /// <summary>Records that <paramref name="from"/> has confirmed every request up to <paramref name="position"/>.</summary>
    public void Ack(ulong from, ulong position)
    {
        if (!_acks.TryGetValue(from, out var had) || had < position)
        {
            _acks[from] = position;
        }
    }

    /// <inheritdoc/>
    public bool TryGetAckedIndex(ulong id, out ulong index) => _acks.TryGetValue(id, out index);

    /// <summary>
    /// The requests a quorum has now confirmed, oldest first. The list is reused by the next call:
    /// read it before calling again.
    /// </summary>
    public List<(Message Request, ulong Index)> MaybeAdvance(JointConfig voters)
    {
        _confirmedScratch.Clear();
        var confirmed = voters.CommittedIndex(this);
        if (confirmed <= _confirmed || confirmed == ulong.MaxValue)
        {
            return _confirmedScratch;
        }

        while (_confirmed < confirmed && _unconfirmed.Count > 0)
        {
            _confirmedScratch.Add(_unconfirmed.Dequeue());
            _confirmed++;
        }

        return _confirmedScratch;
    }
}
