using System.Security.Cryptography;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Server.Tests.Support;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>
/// A damaged WAL, as a crash or a disk leaves it: a torn last record is cut off and the member
/// starts with everything acknowledged; damage before the end is refused with a message naming the
/// file and offset, a non-zero exit, and the files left as they were.
/// </summary>
public sealed class WalCorruptionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_TornLastRecord_RepairsAndKeepsEveryWrite()
    {
        await using var member = await KvasirProcess.StartAsync();
        await WriteAndStopAsync(member, 20);
        var walDir = WalDir(member);

        // A last record the crash tore: an uncommitted entry whose middle sector never reached the disk.
        using (var device = new FileStorageDevice(walDir, create: false))
        {
            await using var wal = WriteAheadLog.Open(device, WalSnapshot.None);
            var last = wal.Recovered.Entries[^1];
            var payload = new byte[4096];
            new Random(7).NextBytes(payload);
            await wal.SaveAsync(null, [new Entry { Index = last.Index + 1, Term = last.Term, Data = ByteString.CopyFrom(payload) }], CancellationToken.None);
        }

        var (file, record) = LastRecord(walDir);
        var sector = ((record.Offset + 12 + 511) / 512 * 512) + 512;
        Overwrite(Path.Combine(walDir, file), sector, new byte[512]);

        await member.RestartAsync(Bound);
        await member.Process.WaitForOutputAsync("cut a torn tail off", Bound);
        using var kv = new Kv(member.Endpoint);
        Assert.Equal(20, (await kv.RangeAsync("k/", "k0")).Count);
        Assert.Equal(22, (await kv.PutAsync("after", "repair")).Header.Revision);
    }

    [Fact]
    public async Task Start_DamagedRecordBeforeTheEnd_RefusesWithFileAndOffsetAndChangesNothing()
    {
        await using var member = await KvasirProcess.StartAsync();
        await WriteAndStopAsync(member, 20);
        var walDir = WalDir(member);
        using var device = new FileStorageDevice(walDir, create: false);
        var segment = WalDump.Read(device)[0];
        var victim = segment.Records.Where(r => r.Type == WalRecordType.Entry).Skip(3).First();
        Overwrite(Path.Combine(walDir, segment.File), victim.Offset + 14, [0xFF, 0x00, 0xFF]);
        var before = Fingerprint(walDir);

        var result = await KvasirProcess.RunAsync(MemberArgs(member), Bound);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{segment.File} is corrupt at offset {victim.Offset}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("refusing to start", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(walDir));
    }

    private static async Task WriteAndStopAsync(KvasirProcess member, int keys)
    {
        using (var kv = new Kv(member.Endpoint))
        {
            for (var i = 0; i < keys; i++)
            {
                await kv.PutAsync($"k/{i}", $"v{i}");
            }
        }

        member.Terminate();
        Assert.True(await member.Process.WaitForExitAsync(Bound), "kvasir did not stop on SIGTERM");
        Assert.Equal(0, member.Process.ExitCode);
    }

    private static string WalDir(KvasirProcess member) => Path.Combine(member.DataDir, "member", "wal");

    private static (string File, WalDumpRecord Record) LastRecord(string walDir)
    {
        using var device = new FileStorageDevice(walDir, create: false);
        var segment = WalDump.Read(device)[^1];
        return (segment.File, segment.Records[^1]);
    }

    private static void Overwrite(string path, long offset, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        file.Write(bytes);
    }

    private static string Fingerprint(string dir) =>
        string.Join('\n', Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));

    // The flags KvasirProcess starts the member with, to run it again by hand on the same data.
    private static string[] MemberArgs(KvasirProcess member) =>
    [
        "--name", "kvasir-test",
        "--data-dir", member.DataDir,
        "--listen-client-urls", member.ClientUrl,
        "--advertise-client-urls", member.ClientUrl,
        "--listen-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
        "--initial-advertise-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
        "--initial-cluster", $"kvasir-test=http://127.0.0.1:{member.PeerPort}",
    ];
}
