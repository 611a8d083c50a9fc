namespace Kvasir.Storage.IO;

/// <summary>
/// One file of a <see cref="MemoryStorageDevice"/>: its latest content and its synced (durable)
/// content, and the sectors written since the last sync. Bytes past a length are always zero in
/// both images. Guarded by the device's lock.
/// </summary>
internal sealed class MemoryInode
{
    public const int SectorBytes = 512;

    public byte[] Data = [];

    public long Length;

    public byte[] Durable = [];

    public long DurableLength;

    public readonly HashSet<long> DirtySectors = [];

    public void EnsureCapacity(long length)
    {
        if (length > int.MaxValue - SectorBytes)
        {
            throw new IOException("memory storage: a file cannot exceed 2 GiB");
        }

        var need = (int)((length + SectorBytes - 1) / SectorBytes * SectorBytes);
        if (Data.Length < need)
        {
            var size = Math.Max(need, Math.Min(Data.Length * 2, int.MaxValue - SectorBytes));
            size = (size + SectorBytes - 1) / SectorBytes * SectorBytes;
            Array.Resize(ref Data, size);
            Array.Resize(ref Durable, size);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        var end = offset + data.Length;
        EnsureCapacity(end);
        data.CopyTo(Data.AsSpan((int)offset));
        if (end > Length)
        {
            MarkDirty(Length, end);
            Length = end;
        }

        MarkDirty(offset, end);
    }

    public void SetLength(long length)
    {
        EnsureCapacity(length);
        if (length < Length)
        {
            Data.AsSpan((int)length, (int)(Length - length)).Clear();
        }

        MarkDirty(Math.Min(length, Length), Math.Max(length, Length));
        Length = length;
    }

    public void Sync()
    {
        foreach (var sector in DirtySectors)
        {
            var start = (int)(sector * SectorBytes);
            Data.AsSpan(start, SectorBytes).CopyTo(Durable.AsSpan(start));
        }

        DirtySectors.Clear();
        DurableLength = Length;
    }

    /// <summary>A new inode holding this one's state after a crash of the given kind.</summary>
    public MemoryInode AfterCrash(MemoryCrash crash, Random random)
    {
        var copy = new MemoryInode();
        copy.EnsureCapacity(Math.Max(Length, DurableLength));
        if (crash == MemoryCrash.ProcessKill)
        {
            Data.AsSpan(0, (int)Length).CopyTo(copy.Data);
            copy.Length = Length;
        }
        else
        {
            Durable.AsSpan(0, (int)DurableLength).CopyTo(copy.Data);
            copy.Length = DurableLength;
            if (crash == MemoryCrash.TornSectors)
            {
                var length = random.Next(2) == 0 ? DurableLength : Length;
                var sectors = new List<long>(DirtySectors);
                sectors.Sort();
                foreach (var sector in sectors)
                {
                    if (random.Next(2) == 0)
                    {
                        continue;
                    }

                    var start = (int)(sector * SectorBytes);
                    Data.AsSpan(start, SectorBytes).CopyTo(copy.Data.AsSpan(start));
                    length = Math.Max(length, Math.Min(Length, start + SectorBytes));
                }

                copy.Length = length;
            }

            copy.Data.AsSpan((int)copy.Length).Clear();
        }

        copy.Data.AsSpan(0, (int)copy.Length).CopyTo(copy.Durable);
        copy.DurableLength = copy.Length;
        return copy;
    }

    private void MarkDirty(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        for (var s = start / SectorBytes; s <= (end - 1) / SectorBytes; s++)
        {
            DirtySectors.Add(s);
        }
    }
}
