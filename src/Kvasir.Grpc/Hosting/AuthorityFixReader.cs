using System.Buffers;
using System.IO.Pipelines;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// The input of an HTTP/2 connection as Kestrel reads it, with a literal <c>:authority</c> that
/// carries a URL scheme rewritten (see <see cref="HpackAuthority"/>). It copies whole frames into
/// its own buffer until the first HEADERS frame: when that frame's authority is fine (as from every
/// client but an etcd client dialing <c>http://host:port</c>), it drains its buffer and from then
/// on hands out the transport's own buffers untouched, at no cost. When it was rewritten, every
/// later HEADERS frame is checked too (the client may send the literal again after its dynamic
/// table evicts it). One reader (Kestrel's connection loop) calls it, as with any PipeReader.
/// </summary>
internal sealed class AuthorityFixReader(PipeReader inner) : PipeReader
{
    private const int FrameHeaderSize = 9;
    private const byte Headers = 0x1;
    private const byte EndHeaders = 0x4;
    private const byte Padded = 0x8;
    private const byte Priority = 0x20;

    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private int _prefaceLeft = 24;
    private bool _passThrough;
    private bool _examinedAll = true;
    private bool _innerCompleted;
    private bool _lastFromInner;
    private ReadOnlySequence<byte> _handedOut;

    /// <summary>How many HEADERS frames had their authority rewritten (for tests).</summary>
    public int Rewritten { get; private set; }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_start == _end && _passThrough)
            {
                _lastFromInner = true;
                return await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_start < _end && !_examinedAll)
            {
                return HandOut(false);
            }

            if (_innerCompleted)
            {
                return HandOut(true);
            }

            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                inner.AdvanceTo(result.Buffer.Start);
                _lastFromInner = false;
                _handedOut = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                return new ReadResult(_handedOut, isCanceled: true, isCompleted: false);
            }

            var before = _end;
            // Bytes left behind once passing through are not examined: the next read must see them.
            var consumed = Take(result.Buffer, result.IsCompleted);
            inner.AdvanceTo(consumed, _passThrough ? consumed : result.Buffer.End);
            if (result.IsCompleted)
            {
                _innerCompleted = true;
            }

            if (_end > before)
            {
                _examinedAll = false;
            }
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_start == _end && _passThrough)
        {
            _lastFromInner = true;
            return inner.TryRead(out result);
        }

        if (_start < _end && !_examinedAll)
        {
            result = HandOut(false);
            return true;
        }

        result = default;
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_lastFromInner)
        {
            inner.AdvanceTo(consumed, examined);
            return;
        }

        var length = _handedOut.Length;
        _start += (int)_handedOut.Slice(_handedOut.Start, consumed).Length;
        _examinedAll = _handedOut.Slice(_handedOut.Start, examined).Length == length;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private ReadResult HandOut(bool completed)
    {
        _lastFromInner = false;
        _handedOut = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
        return new ReadResult(_handedOut, isCanceled: false, isCompleted: completed);
    }

    // Moves what can go on from the transport's buffer into this one: the preface, then whole
    // frames (rewritten where needed); everything once passing through. Returns how far it took.
    private SequencePosition Take(in ReadOnlySequence<byte> source, bool completed)
    {
        var rest = source;
        if (_passThrough)
        {
            Append(rest);
            return rest.End;
        }

        if (_prefaceLeft > 0)
        {
            var n = (int)Math.Min(_prefaceLeft, rest.Length);
            Append(rest.Slice(0, n));
            _prefaceLeft -= n;
            rest = rest.Slice(n);
        }

        Span<byte> header = stackalloc byte[FrameHeaderSize];
        while (!_passThrough && _prefaceLeft == 0 && rest.Length >= FrameHeaderSize)
        {
            rest.Slice(0, FrameHeaderSize).CopyTo(header);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            if (rest.Length < FrameHeaderSize + length)
            {
                break;
            }

            var frame = rest.Slice(0, FrameHeaderSize + length);
            rest = rest.Slice(frame.End);
            if (header[3] != Headers)
            {
                Append(frame);
                continue;
            }

            AppendHeaders(frame, header);
        }

        if (completed && !rest.IsEmpty)
        {
            // A torn last frame: Kestrel reports it as it would without this reader.
            Append(rest);
            return rest.End;
        }

        return rest.Start;
    }

    private void AppendHeaders(in ReadOnlySequence<byte> frame, ReadOnlySpan<byte> header)
    {
        var flags = header[4];
        var payload = frame.Slice(FrameHeaderSize).ToArray();
        var at = 0;
        var padding = 0;
        if ((flags & Padded) != 0 && payload.Length > 0)
        {
            padding = payload[0];
            at = 1;
        }

        var priority = (flags & Priority) != 0 ? 5 : 0;
        var blockStart = at + priority;
        var blockLength = payload.Length - blockStart - padding;
        if ((flags & EndHeaders) == 0 || blockLength < 0)
        {
            // Continued in CONTINUATION frames, or malformed: sent on as it is; Kestrel judges it.
            Append(frame);
            _passThrough = Rewritten == 0;
            return;
        }

        var outcome = HpackAuthority.Rewrite(payload.AsSpan(blockStart, blockLength), out var block);
        if (outcome != HpackAuthority.Outcome.Rewritten)
        {
            Append(frame);
            _passThrough = Rewritten == 0;
            return;
        }

        // The same frame without padding: priority fields (if any), then the new block.
        Rewritten++;
        var size = priority + block!.Length;
        Span<byte> newHeader = stackalloc byte[FrameHeaderSize];
        header.CopyTo(newHeader);
        newHeader[0] = (byte)(size >> 16);
        newHeader[1] = (byte)(size >> 8);
        newHeader[2] = (byte)size;
        newHeader[4] = (byte)(flags & ~Padded);
        Append(newHeader);
        Append(payload.AsSpan(at, priority));
        Append(block);
    }

    private void Append(in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            Append(segment.Span);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            var live = _end - _start;
            var target = _buffer;
            if (live + bytes.Length > _buffer.Length)
            {
                target = new byte[Math.Max(_buffer.Length * 2, live + bytes.Length)];
            }

            Array.Copy(_buffer, _start, target, 0, live);
            _buffer = target;
            _start = 0;
            _end = live;
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }
}
