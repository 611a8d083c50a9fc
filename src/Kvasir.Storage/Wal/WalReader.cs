using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>Reads a WAL from a device: lists and checks the segments, verifies every record, rebuilds the log.</summary>
internal static class WalReader
{
    /// <summary>
    /// The segments on <paramref name="device"/> in seq order; throws when a seq is missing. Indexes
    /// may go down from one segment to the next: a new leader can cut the log back, and the next
    /// segment is named after the shorter log.
    /// </summary>
    public static List<WalSegmentName> ListSegments(IStorageDevice device)
    {
        var segments = new List<WalSegmentName>();
        foreach (var file in device.ListFiles())
        {
            if (WalSegmentName.TryParse(file, out var name))
            {
                segments.Add(name);
            }
        }

        segments.Sort();
        for (var i = 1; i < segments.Count; i++)
        {
            if (segments[i].Seq != segments[i - 1].Seq + 1)
            {
                throw new WalException($"wal: segments of {device.Location} are not contiguous: {segments[i - 1]} is followed by {segments[i]}");
            }
        }

        return segments;
    }

    /// <summary>
    /// Reads from the segment that holds <paramref name="at"/> to the end: the last (highest seq)
    /// segment whose index is at or below the snapshot's. Every entry above the snapshot that is
    /// still in the log, and the snapshot's marker, were written after that segment began, because
    /// the log was at or below the snapshot index then and is never cut back below a snapshot. With
    /// <paramref name="markersOnly"/>, reads every segment and decodes only hard states and snapshot
    /// markers, and does not require <paramref name="at"/>'s marker.
    /// </summary>
    public static WalReadState Read(IStorageDevice device, WalSnapshot at, bool markersOnly = false)
    {
        var segments = ListSegments(device);
        if (segments.Count == 0)
        {
            throw new WalException($"wal: {device.Location} holds no WAL");
        }

        var start = 0;
        if (!markersOnly)
        {
            start = -1;
            for (var i = 0; i < segments.Count; i++)
            {
                if (segments[i].Index <= at.Index)
                {
                    start = i;
                }
            }

            if (start < 0)
            {
                throw new WalException($"wal: no segment of {device.Location} reaches back to snapshot index {at.Index}: the oldest, {segments[0]}, starts at index {segments[0].Index}");
            }
        }

        var log = new WalLogBuilder(at, markersOnly);
        var buffer = Array.Empty<byte>();
        WalTornTail? torn = null;
        long end = 0;
        var hasBody = false;
        uint lastCrc = 0;
        for (var i = start; i < segments.Count; i++)
        {
            var name = segments[i];
            var path = device.PathOf(name.FileName);
            var length = ReadFile(device, name.FileName, ref buffer);
            var scanner = new WalSegmentScanner(buffer.AsSpan(0, length), name.Seq, path, isLast: i == segments.Count - 1);
            if (!scanner.TryNext(out var first) || first.Type != WalRecordType.SegmentHeader || first.Offset != 0)
            {
                throw new WalCorruptException(path, 0, "the segment does not begin with a segment header");
            }

            CheckHeader(path, name, first.Payload, i > start ? lastCrc : null);
            hasBody = false;
            while (scanner.TryNext(out var record))
            {
                hasBody |= record.Type is WalRecordType.Entry or WalRecordType.Snapshot;
                log.Apply(path, record);
            }

            lastCrc = scanner.LastCrc;
            end = scanner.Offset;
            torn = scanner.Torn;
        }

        var result = log.Finish(device.PathOf(segments[^1].FileName), end, torn);
        return new WalReadState
        {
            Log = result,
            Segments = segments,
            EndOffset = end,
            LastCrc = lastCrc,
            LastHasBody = hasBody,
            LastSnapshotIndex = log.LastSnapshotIndex,
        };
    }

    private static void CheckHeader(string path, WalSegmentName name, ReadOnlySpan<byte> payload, uint? carried)
    {
        if (!WalSegmentHeader.TryRead(payload, out var header))
        {
            throw new WalCorruptException(path, 0, "the segment header is not a Kvasir WAL header");
        }

        if (header.Version != WalSegmentHeader.FormatVersion)
        {
            throw new WalVersionException(path, header.Version);
        }

        if (header.Seq != name.Seq || header.Index != name.Index)
        {
            throw new WalCorruptException(path, 0, $"the segment header says seq {header.Seq} index {header.Index}, the file name seq {name.Seq} index {name.Index}");
        }

        if (carried is { } crc && header.CarriedCrc != crc)
        {
            throw new WalCorruptException(path, 0, $"the segment does not follow the previous one: it carries CRC {header.CarriedCrc:x8}, the previous segment ends with {crc:x8}");
        }
    }

    /// <summary>Reads the whole file into <paramref name="buffer"/> (grown as needed); returns its length.</summary>
    internal static int ReadFile(IStorageDevice device, string fileName, ref byte[] buffer)
    {
        using var file = device.Open(fileName, StorageFileMode.ReadOnly);
        var length = file.Length;
        if (length > Array.MaxLength)
        {
            throw new WalCorruptException(device.PathOf(fileName), 0, $"the segment is {length} bytes, more than can be read");
        }

        if (buffer.Length < length)
        {
            buffer = new byte[length];
        }

        var read = file.Read(0, buffer.AsSpan(0, (int)length));
        return read;
    }

    /// <summary>Parses a protobuf payload; a payload that verified but does not parse is corruption.</summary>
    internal static T Parse<T>(MessageParser<T> parser, string path, long offset, ReadOnlySpan<byte> payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WalCorruptException(path, offset, $"the {typeof(T).Name} record does not parse: {e.Message}");
        }
    }

    /// <summary>Snapshot markers a member may start from: those at or below the last HardState's commit.</summary>
    public static List<SnapshotMetadata> ValidMarkers(WalReadResult result)
    {
        var valid = new List<SnapshotMetadata>();
        foreach (var marker in result.SnapshotMarkers)
        {
            if (marker.Index <= result.HardState.Commit)
            {
                valid.Add(marker);
            }
        }

        return valid;
    }
}
