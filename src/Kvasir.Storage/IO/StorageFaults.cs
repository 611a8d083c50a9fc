namespace Kvasir.Storage.IO;

/// <summary>
/// The faults a <see cref="FaultyStorageDevice"/> injects, armed by the test: "the n-th sync from now
/// fails", "the n-th write from now is torn after k bytes", and so on. Each armed fault fires once.
/// Thread-safe.
/// </summary>
public sealed class StorageFaults
{
    private readonly Lock _gate = new();
    private readonly List<Armed> _armed = [];
    private readonly Dictionary<StorageOperation, long> _counts = [];

    /// <summary>How many times <paramref name="operation"/> has been called on the device.</summary>
    public long Count(StorageOperation operation)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault(operation);
        }
    }

    /// <summary>How many armed faults have fired.</summary>
    public int Fired { get; private set; }

    /// <summary>The <paramref name="nth"/> call of <paramref name="operation"/> from now (1 = the next) throws without doing anything.</summary>
    public void Fail(StorageOperation operation, int nth = 1) => Arm(operation, nth, keepBytes: -1);

    /// <summary>
    /// The <paramref name="nth"/> write from now writes only its first <paramref name="keepBytes"/>
    /// bytes, cut back to the last whole 512-byte sector of the file, then throws.
    /// </summary>
    public void TearWrite(int nth, int keepBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepBytes);
        Arm(StorageOperation.Write, nth, keepBytes);
    }

    /// <summary>Counts the call and returns the fault that fires on it: null for none, else the bytes a torn write keeps (-1: fail outright).</summary>
    internal int? Next(StorageOperation operation)
    {
        lock (_gate)
        {
            _counts[operation] = _counts.GetValueOrDefault(operation) + 1;
            for (var i = 0; i < _armed.Count; i++)
            {
                var armed = _armed[i];
                if (armed.Operation != operation)
                {
                    continue;
                }

                if (armed.Remaining > 1)
                {
                    _armed[i] = armed with { Remaining = armed.Remaining - 1 };
                    continue;
                }

                _armed.RemoveAt(i);
                Fired++;
                return armed.KeepBytes;
            }

            return null;
        }
    }

    private void Arm(StorageOperation operation, int nth, int keepBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (_gate)
        {
            _armed.Add(new Armed(operation, nth, keepBytes));
        }
    }

    private readonly record struct Armed(StorageOperation Operation, int Remaining, int KeepBytes);
}
