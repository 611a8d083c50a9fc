using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Kvasir.Grpc.Hosting.Hpack;
using Microsoft.AspNetCore.Connections;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Sits between an HTTP/2 connection's transport and Kestrel: copies what the client sends, and
/// rewrites a header block whose <c>:authority</c> carries a URL scheme (see <see cref="HpackAuthority"/>).
/// Everything else — the preface, SETTINGS, DATA, every other frame — passes through unchanged and
/// without waiting for a whole frame; once the connection's first header block needed no rewrite,
/// all of it is copied without a look (the cost of a copy, no allocation).
/// </summary>
/// <remarks>
/// A header block (HEADERS and its CONTINUATION frames, which HTTP/2 keeps together on the
/// connection) is collected whole before it goes on; one larger than <see cref="MaxHeaderBlockBytes"/>
/// goes on unchanged, frame by frame, and Kestrel applies its own header limits to it. A rewritten
/// block goes on as one HEADERS frame with END_HEADERS (split into CONTINUATION frames at the 16 KiB
/// every HTTP/2 peer accepts), without padding.
/// </remarks>
internal sealed class AuthorityRewriter
{
    internal const int MaxHeaderBlockBytes = 256 * 1024;
    private const int FrameHeaderBytes = 9;
    private const int MinMaxFrameSize = 16 * 1024;
    private const byte HeadersType = 0x1;
    private const byte ContinuationType = 0x9;
    private const byte EndHeadersFlag = 0x4;
    private const byte PaddedFlag = 0x8;
    private const byte PriorityFlag = 0x20;

    private static readonly PipeOptions PipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private long _prefaceLeft;
    private long _passThroughLeft;

    // Set once a connection's first header block needed no rewrite: a client writes one authority for all
    // the requests of a connection, so from then on everything is copied without looking.
    private bool _copyOnly;

    private AuthorityRewriter(long prefaceBytes) => _prefaceLeft = prefaceBytes;

    /// <summary>
    /// Runs <paramref name="next"/> (Kestrel's HTTP/2 pipeline) on <paramref name="connection"/> with its
    /// input going through a rewriter; restores the transport and stops the rewriter when it returns.
    /// </summary>
    public static async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var original = connection.Transport;
        var pipe = new Pipe(PipeOptions);
        var rewriter = new AuthorityRewriter(prefaceBytes: 24);
        var pump = rewriter.PumpAsync(original.Input, pipe.Writer);
        connection.Transport = new Duplex(pipe.Reader, original.Output);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = original;
            original.Input.CancelPendingRead();
            await pump.ConfigureAwait(false);
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> until either side ends; never throws.</summary>
    internal static Task CopyAsync(PipeReader source, PipeWriter target, long prefaceBytes) => new AuthorityRewriter(prefaceBytes).PumpAsync(source, target);

    private async Task PumpAsync(PipeReader source, PipeWriter target)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var consumed = Process(buffer, target, result.IsCompleted);
                source.AdvanceTo(consumed, buffer.End);
                var flush = await target.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // The transport failed (reset, aborted): Kestrel sees it as the end of its input.
            error = e;
        }

        await target.CompleteAsync(error).ConfigureAwait(false);
    }

    /// <summary>Writes what can go on now; returns how far <paramref name="buffer"/> was consumed.</summary>
    private SequencePosition Process(ReadOnlySequence<byte> buffer, PipeWriter target, bool sourceEnded)
    {
        var rest = buffer;
        while (!rest.IsEmpty)
        {
            if (_copyOnly)
            {
                Copy(rest, target);
                return rest.End;
            }

            if (_prefaceLeft > 0 || _passThroughLeft > 0)
            {
                var n = Math.Min(rest.Length, _prefaceLeft > 0 ? _prefaceLeft : _passThroughLeft);
                Copy(rest.Slice(0, n), target);
                rest = rest.Slice(n);
                if (_prefaceLeft > 0)
                {
                    _prefaceLeft -= n;
                }
                else
                {
                    _passThroughLeft -= n;
                }

                continue;
            }

            if (rest.Length < FrameHeaderBytes)
            {
                break;
            }

            var header = ReadFrameHeader(rest);
            if (header.Type != HeadersType)
            {
                Copy(rest.Slice(0, FrameHeaderBytes), target);
                rest = rest.Slice(FrameHeaderBytes);
                _passThroughLeft = header.Length;
                continue;
            }

            var blockEnd = FindHeaderBlockEnd(rest);
            if (blockEnd < 0 && (blockEnd == -2 || sourceEnded || rest.Length > MaxHeaderBlockBytes))
            {
                // Not a well-formed block, or too large, or it will never complete: unchanged, frame by frame.
                Copy(rest.Slice(0, FrameHeaderBytes), target);
                rest = rest.Slice(FrameHeaderBytes);
                _passThroughLeft = header.Length;
                continue;
            }

            if (blockEnd < 0)
            {
                break;
            }

            var group = rest.Slice(0, blockEnd);
            _copyOnly = !WriteHeaderBlock(group, target);
            rest = rest.Slice(blockEnd);
        }

        return rest.Start;
    }

    /// <summary>
    /// The length of the HEADERS frame at the start of <paramref name="rest"/> with its CONTINUATION frames,
    /// -1 when not all of it is there yet, -2 when a frame other than CONTINUATION interrupts it.
    /// </summary>
    private static long FindHeaderBlockEnd(ReadOnlySequence<byte> rest)
    {
        long pos = 0;
        var first = true;
        while (true)
        {
            if (rest.Length - pos < FrameHeaderBytes)
            {
                return -1;
            }

            var header = ReadFrameHeader(rest.Slice(pos));
            if (!first && header.Type != ContinuationType)
            {
                return -2;
            }

            first = false;
            pos += FrameHeaderBytes + header.Length;
            if (pos > MaxHeaderBlockBytes)
            {
                return -2;
            }

            if (rest.Length < pos)
            {
                return -1;
            }

            if ((header.Flags & EndHeadersFlag) != 0)
            {
                return pos;
            }
        }
    }

    /// <summary>Writes a whole header block: rewritten when its <c>:authority</c> has a scheme (true), else byte for byte (false).</summary>
    private static bool WriteHeaderBlock(ReadOnlySequence<byte> group, PipeWriter target)
    {
        var bytes = group.ToArray();
        var headers = ReadFrameHeader(new ReadOnlySequence<byte>(bytes));
        var payload = bytes.AsSpan(FrameHeaderBytes, headers.Length);
        var padLength = 0;
        var offset = 0;
        if ((headers.Flags & PaddedFlag) != 0)
        {
            padLength = payload.IsEmpty ? int.MaxValue : payload[0];
            offset = 1;
        }

        var priorityBytes = (headers.Flags & PriorityFlag) != 0 ? 5 : 0;
        if (offset + priorityBytes + padLength > payload.Length)
        {
            // Malformed: Kestrel reports it.
            target.Write(bytes);
            return false;
        }

        var priority = payload.Slice(offset, priorityBytes);
        var block = new List<byte>(bytes.Length);
        block.AddRange(payload[(offset + priorityBytes)..(payload.Length - padLength)]);
        for (var pos = FrameHeaderBytes + headers.Length; pos < bytes.Length;)
        {
            var continuation = ReadFrameHeader(new ReadOnlySequence<byte>(bytes, pos, FrameHeaderBytes));
            block.AddRange(bytes.AsSpan(pos + FrameHeaderBytes, continuation.Length));
            pos += FrameHeaderBytes + continuation.Length;
        }

        if (HpackAuthority.TryRewrite([.. block]) is not { } rewritten)
        {
            target.Write(bytes);
            return false;
        }

        // The first frame keeps END_STREAM and the priority; padding is dropped.
        var firstFlags = (byte)(headers.Flags & ~(PaddedFlag | EndHeadersFlag));
        var chunk = Math.Min(rewritten.Length, MinMaxFrameSize - priorityBytes);
        WriteFrame(target, HeadersType, (byte)(firstFlags | (chunk == rewritten.Length ? EndHeadersFlag : 0)), headers.StreamId, priority, rewritten.AsSpan(0, chunk));
        for (var pos = chunk; pos < rewritten.Length; pos += chunk)
        {
            chunk = Math.Min(rewritten.Length - pos, MinMaxFrameSize);
            var last = pos + chunk == rewritten.Length;
            WriteFrame(target, ContinuationType, last ? EndHeadersFlag : (byte)0, headers.StreamId, [], rewritten.AsSpan(pos, chunk));
        }

        return true;
    }

    private static void WriteFrame(PipeWriter target, byte type, byte flags, uint streamId, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> fragment)
    {
        var length = prefix.Length + fragment.Length;
        var span = target.GetSpan(FrameHeaderBytes + length);
        span[0] = (byte)(length >> 16);
        span[1] = (byte)(length >> 8);
        span[2] = (byte)length;
        span[3] = type;
        span[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], streamId);
        prefix.CopyTo(span[FrameHeaderBytes..]);
        fragment.CopyTo(span[(FrameHeaderBytes + prefix.Length)..]);
        target.Advance(FrameHeaderBytes + length);
    }

    private static FrameHeader ReadFrameHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> h = stackalloc byte[FrameHeaderBytes];
        buffer.Slice(0, FrameHeaderBytes).CopyTo(h);
        return new FrameHeader((h[0] << 16) | (h[1] << 8) | h[2], h[3], h[4], BinaryPrimitives.ReadUInt32BigEndian(h[5..]));
    }

    private static void Copy(ReadOnlySequence<byte> bytes, PipeWriter target)
    {
        foreach (var segment in bytes)
        {
            target.Write(segment.Span);
        }
    }

    private readonly record struct FrameHeader(int Length, byte Type, byte Flags, uint StreamId);

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
