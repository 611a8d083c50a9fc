namespace Kvasir.Raft.Tests.Simulation;

/// <summary>What the runs exercised, summed over runs: printed so that a green run also shows it did the work.</summary>
internal sealed class SimStats
{
    public long Runs;
    public long Ticks;
    public long Delivered;
    public long Readies;
    public long Crashes;
    public long CrashesInReady;
    public long Restarts;
    public long Partitions;
    public long SnapshotsInstalled;
    public long ConfChangesApplied;
    public long Transfers;
    public long Elections;
    public long Committed;
    public long ReadsAnswered;
    public long ByNodes1;
    public long ByNodes3;
    public long ByNodes5;
    public long ByNodes7;

    public void Add(SimStats o)
    {
        Runs += o.Runs;
        Ticks += o.Ticks;
        Delivered += o.Delivered;
        Readies += o.Readies;
        Crashes += o.Crashes;
        CrashesInReady += o.CrashesInReady;
        Restarts += o.Restarts;
        Partitions += o.Partitions;
        SnapshotsInstalled += o.SnapshotsInstalled;
        ConfChangesApplied += o.ConfChangesApplied;
        Transfers += o.Transfers;
        Elections += o.Elections;
        Committed += o.Committed;
        ReadsAnswered += o.ReadsAnswered;
        ByNodes1 += o.ByNodes1;
        ByNodes3 += o.ByNodes3;
        ByNodes5 += o.ByNodes5;
        ByNodes7 += o.ByNodes7;
    }

    public override string ToString() =>
        $"runs={Runs} (1/3/5/7 nodes: {ByNodes1}/{ByNodes3}/{ByNodes5}/{ByNodes7}) ticks={Ticks} delivered={Delivered} readies={Readies} " +
        $"elections={Elections} committed={Committed} reads={ReadsAnswered} crashes={Crashes} crashesInReady={CrashesInReady} restarts={Restarts} " +
        $"partitions={Partitions} snapshots={SnapshotsInstalled} confchanges={ConfChangesApplied} transfers={Transfers}";
}
