namespace Kvasir.Server.Lease;

/// <summary>A lease's place in one <see cref="LeaseHeap"/>: its position (-1 when absent) and its due time in ticks.</summary>
internal struct LeaseHeapSlot
{
    public LeaseHeapSlot()
    {
    }

    public int Index = -1;

    public long Due;
}
