using Kvasir.Raft;

namespace Kvasir.Server.Member;

// The Raft loop applying a batch itself: one thread wake-up less per write at low load.
internal sealed partial class Applier
{
    // The largest batch the Raft loop applies itself.
    private const int MaxInlineEntries = 4;
    private const long MaxInlineBytes = 64 * 1024;

    // InternalRaftRequest's fields a plain put carries: ID = 1 (varint), put = 4 and header = 100 (messages).
    private const uint IdTag = (1 << 3) | 0;
    private const uint PutTag = (4 << 3) | 2;
    private const uint HeaderTag = (100 << 3) | 2;

    /// <summary>
    /// Applies <paramref name="batch"/> on the caller's thread (the Raft loop's) when it is small,
    /// holds only work of bounded cost (puts and a leader's empty entries: no range deletes, txns,
    /// lease or conf changes, whose cost grows with the data) and the applier is idle with nothing
    /// queued: order is kept (one thread applies at a time, the producer queues nothing meanwhile)
    /// and the entries are durable already, as every batch handed over is. Waiters' continuations
    /// still run on the thread pool. A failure here is fatal: it cancels the applier and propagates
    /// to the Raft loop, whose failure handler stops the member.
    /// </summary>
    private bool TryApplyInline(ApplyBatch batch)
    {
        if (batch.Entries.Count > MaxInlineEntries || batch.Bytes > MaxInlineBytes || !IsCheap(batch.Entries) || !_queue.TryBeginInline(_failed.Token))
        {
            return false;
        }

        try
        {
            ApplyAll(batch);
        }
        catch
        {
            _failed.Cancel();
            throw;
        }
        finally
        {
            _queue.EndInline();
        }

        return true;
    }

    private static bool IsCheap(IReadOnlyList<Entry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Type != EntryType.EntryNormal || (!e.Data.IsEmpty && !IsPlainPut(e.Data.Span)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="data"/> is an InternalRaftRequest carrying a put and nothing else
    /// but its ID and header, read from the wire format without decoding it; false for anything
    /// else, malformed data included (the applier's own decoding reports that).
    /// </summary>
    internal static bool IsPlainPut(ReadOnlySpan<byte> data)
    {
        var put = false;
        var pos = 0;
        while (pos < data.Length)
        {
            if (!TryReadVarint(data, ref pos, out var tag))
            {
                return false;
            }

            switch (tag)
            {
                case IdTag:
                    if (!TryReadVarint(data, ref pos, out _))
                    {
                        return false;
                    }

                    break;
                case PutTag or HeaderTag:
                    if (!TryReadVarint(data, ref pos, out var length) || length > (ulong)(data.Length - pos))
                    {
                        return false;
                    }

                    pos += (int)length;
                    put |= tag == PutTag;
                    break;
                default:
                    return false;
            }
        }

        return put;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && pos < data.Length; shift += 7)
        {
            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
