using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Connection middleware of the cleartext client port. It peeks at the first bytes of a new
/// connection without consuming them: the 24-byte HTTP/2 client preface means h2c (gRPC), so the
/// connection continues down the endpoint's own HTTP/2 pipeline (through an <see cref="AuthorityRewriter"/>); any other byte means HTTP/1.1,
/// and the connection goes to the HTTP/1.1 pipeline captured from a detached endpoint. A
/// connection that has not told which within the timeout, or closes first, is closed.
/// </summary>
internal sealed class ProtocolSniffer(ConnectionDelegate http2, Http1Pipeline http1, TimeSpan timeout)
{
    /// <summary>What a connection has sent so far says.</summary>
    internal enum Verdict
    {
        NeedMore,
        Http2,
        Http1,
    }

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        Verdict verdict;
        using (var bound = new CancellationTokenSource(timeout))
        {
            try
            {
                while (true)
                {
                    var result = await input.ReadAsync(bound.Token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    verdict = Classify(buffer);
                    if (verdict != Verdict.NeedMore)
                    {
                        // Examined nothing: the chosen pipeline's first read sees every byte at once.
                        input.AdvanceTo(buffer.Start);
                        break;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Silent for too long: close it.
                return;
            }
        }

        if (verdict == Verdict.Http2)
        {
            await AuthorityRewriter.RunAsync(connection, http2).ConfigureAwait(false);
            return;
        }

        var pipeline = await http1.GetAsync(connection.ConnectionClosed).ConfigureAwait(false);
        await pipeline(connection).ConfigureAwait(false);
    }

    /// <summary>Http2 once the whole preface is there; Http1 as soon as a byte differs from it.</summary>
    internal static Verdict Classify(in ReadOnlySequence<byte> buffer)
    {
        var preface = Preface;
        var n = (int)Math.Min(buffer.Length, preface.Length);
        Span<byte> head = stackalloc byte[24];
        buffer.Slice(0, n).CopyTo(head);
        if (!head[..n].SequenceEqual(preface[..n]))
        {
            return Verdict.Http1;
        }

        return n == preface.Length ? Verdict.Http2 : Verdict.NeedMore;
    }
}
