using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Services;

// Snapshot: the backend image, as etcd streams it.
public sealed partial class MaintenanceService
{
    /// <summary>etcd's snapshotSendBufferSize: 32 KiB per message.</summary>
    public const int SnapshotChunkBytes = 32 * 1024;

    /// <summary>
    /// Streams a consistent image of the backend (taken while writes continue) in 32 KiB messages,
    /// each with the bytes still to come, then one last message holding the image's SHA-256: etcdctl
    /// 3.4 accepts a snapshot only when its length modulo 512 is 32 (the digest after whole
    /// sectors), and `snapshot restore` checks the digest. The image is a SQLite database, not
    /// etcd's bbolt file: etcdctl's `snapshot status` and `snapshot restore` cannot read it.
    /// </summary>
    /// <param name="write">Sends one message (the gRPC stream's writer, or the gateway's).</param>
    public async Task SnapshotAsync(SnapshotRequest request, Func<SnapshotResponse, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var ct = cancellationToken;
        var temp = Path.Combine(member.Config.SnapDir, $"db.snapshot-{member.NextId():x16}.tmp");
        try
        {
            await using (var image = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var started = Stopwatch.GetTimestamp();
                await member.Store.WriteSnapshotAsync(image, ct).ConfigureAwait(false);
                member.Metrics.Maintenance.SnapshotWritten(Stopwatch.GetElapsedTime(started));
            }

            await using var file = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var total = file.Length;
            if (total % 512 != 0)
            {
                throw new InvalidOperationException($"the backend image is {total} bytes, not whole 512-byte sectors: etcd clients would refuse it");
            }

            LogSnapshotSending(log, total);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[SnapshotChunkBytes];
            long sent = 0;
            while (sent < total)
            {
                var n = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"the backend image ended after {sent} of {total} bytes");
                }

                sent += n;
                sha.AppendData(buffer, 0, n);
                await write(new SnapshotResponse { RemainingBytes = (ulong)(total - sent), Blob = ByteString.CopyFrom(buffer, 0, n) }, ct).ConfigureAwait(false);
            }

            await write(new SnapshotResponse { RemainingBytes = 0, Blob = ByteString.CopyFrom(sha.GetHashAndReset()) }, ct).ConfigureAwait(false);
            LogSnapshotSent(log, total);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [LoggerMessage(32, LogLevel.Information, "sending database snapshot to client: {Bytes} bytes")]
    private static partial void LogSnapshotSending(ILogger log, long bytes);

    [LoggerMessage(33, LogLevel.Information, "sent database snapshot to client: {Bytes} bytes and its sha256")]
    private static partial void LogSnapshotSent(ILogger log, long bytes);
}
