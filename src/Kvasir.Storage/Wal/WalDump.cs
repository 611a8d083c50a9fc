using System.Globalization;
using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>
/// A read-only listing of a WAL for diagnostics: every segment, every record with its offset and
/// decoded content, and where and why reading stopped. Unlike <see cref="WriteAheadLog.Read"/> it does not
/// stop at the first damaged segment: each segment is read on its own and its problem reported.
/// </summary>
public static class WalDump
{
    public static IReadOnlyList<WalDumpSegment> Read(IStorageDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var names = new List<WalSegmentName>();
        foreach (var file in device.ListFiles())
        {
            if (WalSegmentName.TryParse(file, out var name))
            {
                names.Add(name);
            }
        }

        names.Sort();
        var segments = new List<WalDumpSegment>(names.Count);
        var buffer = Array.Empty<byte>();
        for (var i = 0; i < names.Count; i++)
        {
            segments.Add(ReadSegment(device, names[i], i == names.Count - 1, ref buffer));
        }

        return segments;
    }

    /// <summary>Writes <see cref="Read"/>'s listing as text, one line per record.</summary>
    public static void Write(IStorageDevice device, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var segment in Read(device))
        {
            output.WriteLine(segment.File);
            foreach (var record in segment.Records)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {record.Offset,10}  {record.Type,-13} {record.PayloadBytes,8}  {record.Summary}"));
            }

            if (segment.Torn is { } torn)
            {
                output.WriteLine($"  torn tail: {torn}");
            }

            if (segment.Problem is { } problem)
            {
                output.WriteLine($"  problem: {problem}");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  end at offset {segment.EndOffset}"));
        }
    }

    private static WalDumpSegment ReadSegment(IStorageDevice device, WalSegmentName name, bool isLast, ref byte[] buffer)
    {
        var path = device.PathOf(name.FileName);
        var records = new List<WalDumpRecord>();
        long end = 0;
        WalTornTail? torn = null;
        try
        {
            var length = WalReader.ReadFile(device, name.FileName, ref buffer);
            var scanner = new WalSegmentScanner(buffer.AsSpan(0, length), name.Seq, path, isLast);
            try
            {
                while (scanner.TryNext(out var record))
                {
                    records.Add(new WalDumpRecord(record.Offset, record.Type, record.Payload.Length, Summarize(path, record)));
                }
            }
            finally
            {
                end = scanner.Offset;
                torn = scanner.Torn;
            }

            return new WalDumpSegment(path, records, end, torn, null);
        }
        catch (Exception e) when (e is WalException or IOException)
        {
            return new WalDumpSegment(path, records, end, torn, e.Message);
        }
    }

    private static string Summarize(string path, WalRecordView record)
    {
        switch (record.Type)
        {
            case WalRecordType.SegmentHeader:
                return WalSegmentHeader.TryRead(record.Payload, out var header)
                    ? $"version {header.Version} seq {header.Seq} index {header.Index} carried-crc {header.CarriedCrc:x8}"
                    : "not a Kvasir WAL header";
            case WalRecordType.Metadata:
                return WalMetadata.TryRead(record.Payload, out var metadata) ? metadata.ToString() : "malformed";
            case WalRecordType.Entry:
                var entry = WalReader.Parse(Entry.Parser, path, record.Offset, record.Payload);
                return $"index {entry.Index} term {entry.Term} {entry.Type} data {entry.Data.Length} bytes";
            case WalRecordType.HardState:
                var hardState = WalReader.Parse(HardState.Parser, path, record.Offset, record.Payload);
                return $"term {hardState.Term} vote {hardState.Vote} commit {hardState.Commit}";
            case WalRecordType.Snapshot:
                var snapshot = WalReader.Parse(SnapshotMetadata.Parser, path, record.Offset, record.Payload);
                return $"index {snapshot.Index} term {snapshot.Term} voters [{string.Join(",", snapshot.ConfState?.Voters ?? [])}] learners [{string.Join(",", snapshot.ConfState?.Learners ?? [])}]";
            default:
                return "";
        }
    }
}
