namespace Kvasir.Storage.Mvcc;

/// <summary>
/// An incremental CRC-32C (Castagnoli) as Go's <c>crc32.New(crc32.MakeTable(crc32.Castagnoli))</c>
/// computes it (initial value and final result inverted), over the storage layer's one
/// implementation in <see cref="IO.Crc32C"/>.
/// </summary>
internal struct Crc32C
{
    private uint _state;

    public Crc32C()
    {
        _state = IO.Crc32C.InitialState;
    }

    public readonly uint Sum => ~_state;

    public void Append(ReadOnlySpan<byte> data) => _state = IO.Crc32C.Update(_state, data);
}
