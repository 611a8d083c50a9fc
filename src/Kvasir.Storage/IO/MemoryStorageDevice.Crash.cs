namespace Kvasir.Storage.IO;

/// <summary>Crash simulation and the hooks tests use to damage durable state.</summary>
public sealed partial class MemoryStorageDevice
{
    /// <summary>
    /// Simulates a crash and returns the device as it is after the reboot: the directory and every
    /// file hold what survives <paramref name="crash"/> (choices drawn from <paramref name="random"/>).
    /// This instance belongs to the process that died: from now on it, and every handle opened from
    /// it, fails every call.
    /// </summary>
    public MemoryStorageDevice Crash(MemoryCrash crash, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        lock (_gate)
        {
            ThrowIfDead();
            var names = crash == MemoryCrash.ProcessKill
                ? new Dictionary<string, MemoryInode>(_names, StringComparer.Ordinal)
                : new Dictionary<string, MemoryInode>(_durableNames, StringComparer.Ordinal);
            if (crash == MemoryCrash.TornSectors)
            {
                var keep = random.Next(_pendingChanges.Count + 1);
                for (var i = 0; i < keep; i++)
                {
                    var change = _pendingChanges[i];
                    if (change.From is not null)
                    {
                        if (names.Remove(change.From, out var moved))
                        {
                            names[change.Name] = moved;
                        }
                    }
                    else if (change.Inode is null)
                    {
                        names.Remove(change.Name);
                    }
                    else
                    {
                        names[change.Name] = change.Inode;
                    }
                }
            }

            var crashed = new Dictionary<MemoryInode, MemoryInode>(ReferenceEqualityComparer.Instance);
            var after = new Dictionary<string, MemoryInode>(StringComparer.Ordinal);
            var ordered = new List<string>(names.Keys);
            ordered.Sort(StringComparer.Ordinal);
            foreach (var name in ordered)
            {
                var inode = names[name];
                if (!crashed.TryGetValue(inode, out var copy))
                {
                    copy = inode.AfterCrash(crash, random);
                    crashed[inode] = copy;
                }

                after[name] = copy;
            }

            var rebooted = new MemoryStorageDevice(Location["memory:".Length..])
            {
                _names = after,
                _durableNames = new Dictionary<string, MemoryInode>(after, StringComparer.Ordinal),
            };
            _dead = true;
            _generation++;
            return rebooted;
        }
    }

    /// <summary>The whole content of <paramref name="name"/> as it is now.</summary>
    public byte[] ReadAllBytes(string name)
    {
        lock (_gate)
        {
            ThrowIfDead();
            var inode = Find(name);
            return inode.Data.AsSpan(0, (int)inode.Length).ToArray();
        }
    }

    /// <summary>Replaces <paramref name="name"/>'s content (created if missing), durably.</summary>
    public void WriteAllBytes(string name, ReadOnlySpan<byte> content)
    {
        ValidateName(name);
        lock (_gate)
        {
            ThrowIfDead();
            if (!_names.TryGetValue(name, out var inode))
            {
                inode = new MemoryInode();
                _names[name] = inode;
            }

            inode.SetLength(0);
            inode.Write(0, content);
            inode.Sync();
            _durableNames = new Dictionary<string, MemoryInode>(_names, StringComparer.Ordinal);
            _pendingChanges = [];
        }
    }

    /// <summary>Flips bit <paramref name="bit"/> (0–7) of the byte at <paramref name="offset"/>, durably.</summary>
    public void FlipBit(string name, long offset, int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 7);
        lock (_gate)
        {
            ThrowIfDead();
            var inode = Find(name);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, inode.Length);
            inode.Data[offset] ^= (byte)(1 << bit);
            inode.Durable[offset] = inode.Data[offset];
        }
    }

    /// <summary>Sets <paramref name="name"/>'s length (cut off or zero-extended), durably.</summary>
    public void SetLength(string name, long length)
    {
        lock (_gate)
        {
            ThrowIfDead();
            var inode = Find(name);
            inode.SetLength(length);
            inode.Sync();
        }
    }

    /// <summary>An independent copy of the whole device as it is now (latest state, made durable).</summary>
    public MemoryStorageDevice Clone()
    {
        var copy = new MemoryStorageDevice(Location["memory:".Length..]);
        lock (_gate)
        {
            ThrowIfDead();
            foreach (var (name, inode) in _names)
            {
                copy.WriteAllBytes(name, inode.Data.AsSpan(0, (int)inode.Length));
            }
        }

        return copy;
    }

    private MemoryInode Find(string name) =>
        _names.TryGetValue(name, out var inode)
            ? inode
            : throw new FileNotFoundException($"memory storage: {PathOf(name)} does not exist", PathOf(name));
}
