using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Kvasir.Server.Gateway;

/// <summary>
/// A request body read as Go's json.Decoder reads it: one JSON value at a time, as much of the body
/// as that value needs and no more (what follows the first value of a unary request is never read;
/// a stream's body may carry more values, read as they arrive). One value is bounded to
/// <c>maxValueBytes</c> of JSON text, so a client cannot make the member buffer without limit.
/// One reader at a time.
/// </summary>
internal sealed class GatewayBody(PipeReader reader, int maxValueBytes)
{
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private bool _completed;

    /// <summary>
    /// Reads the next value into a new <typeparamref name="T"/>: the message, or null at the end of the
    /// body (the empty message for a unary request). Throws <see cref="GoJsonException"/> with Go's text
    /// for malformed JSON, and <see cref="TooLargeException"/> beyond the bound.
    /// </summary>
    public async ValueTask<T?> ReadAsync<T>(CancellationToken cancellationToken)
        where T : class, IMessage, new()
    {
        while (true)
        {
            switch (GoJsonScanner.TryReadValue(_buffer, _start, _end, _completed, out var value, out var next, out var error))
            {
                case GoJsonRead.Value:
                    _start = next;
                    var message = new T();
                    ProtoJsonReader.Merge(message, value!);
                    return message;
                case GoJsonRead.End:
                    return null;
                case GoJsonRead.Error:
                    throw new GoJsonException(error!);
            }

            if (_end - _start > maxValueBytes)
            {
                throw new TooLargeException(_end - _start, maxValueBytes);
            }

            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            Append(read.Buffer);
            reader.AdvanceTo(read.Buffer.End);
            _completed = read.IsCompleted;
        }
    }

    /// <summary>Keeps the unread part and what arrived, in a new array (values already returned keep the old one).</summary>
    private void Append(ReadOnlySequence<byte> data)
    {
        var kept = _end - _start;
        var buffer = new byte[kept + (int)Math.Min(data.Length, int.MaxValue - kept)];
        _buffer.AsSpan(_start, kept).CopyTo(buffer);
        data.Slice(0, buffer.Length - kept).CopyTo(buffer.AsSpan(kept));
        _buffer = buffer;
        _start = 0;
        _end = buffer.Length;
    }

    /// <summary>One JSON value of the body is larger than the bound.</summary>
    internal sealed class TooLargeException(long size, long limit)
        : Exception($"grpc: received message larger than max ({size} vs. {limit})");
}
