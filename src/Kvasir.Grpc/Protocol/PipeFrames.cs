using System.IO.Pipelines;

namespace Kvasir.Grpc.Protocol;

/// <summary>
/// Reads length-prefixed messages straight from a <see cref="PipeReader"/> (the request's
/// BodyReader on the server, the response body on the client), with consumed/examined semantics:
/// a partial frame is left in the pipe, marked examined, until more bytes arrive. One reader at a time.
/// </summary>
internal static class PipeFrames
{
    /// <summary>
    /// Reads the next message. Completes with <see cref="Received{T}.End"/> at a clean end of stream (no bytes left);
    /// throws <see cref="RpcException"/> for an invalid, oversize, unparsable or truncated frame.
    /// </summary>
    public static ValueTask<Received<T>> ReadAsync<T>(PipeReader reader, Marshaller<T> marshaller, int maxMessageSize, string what, CancellationToken cancellationToken)
    {
        if (reader.TryRead(out var result) && TryConsume(reader, result, marshaller, maxMessageSize, what, out var received))
        {
            return new ValueTask<Received<T>>(received);
        }

        return ReadSlowAsync(reader, marshaller, maxMessageSize, what, cancellationToken);
    }

    private static async ValueTask<Received<T>> ReadSlowAsync<T>(PipeReader reader, Marshaller<T> marshaller, int maxMessageSize, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TryConsume(reader, result, marshaller, maxMessageSize, what, out var received))
            {
                return received;
            }
        }
    }

    /// <summary>True when the read decided: a message, or the end of the stream.</summary>
    private static bool TryConsume<T>(PipeReader reader, ReadResult result, Marshaller<T> marshaller, int maxMessageSize, string what, out Received<T> received)
    {
        var buffer = result.Buffer;
        if (result.IsCanceled)
        {
            reader.AdvanceTo(buffer.Start);
            throw new OperationCanceledException("the read was canceled");
        }

        switch (Frames.TryRead(buffer, maxMessageSize, out var payload, out var next, out var error))
        {
            case FrameResult.Complete:
                T message;
                try
                {
                    message = marshaller.Deserialize(payload);
                }
                catch (Exception e)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new RpcException(Frames.Unparsable(what, e));
                }

                reader.AdvanceTo(next);
                received = new Received<T>(true, message);
                return true;

            case FrameResult.Invalid:
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new RpcException(error);

            default:
                if (result.IsCompleted)
                {
                    var left = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    if (left != 0)
                    {
                        throw new RpcException(Frames.Truncated(left));
                    }

                    received = Received<T>.End;
                    return true;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                received = default;
                return false;
        }
    }
}
