namespace Kvasir.Raft.Tests.Simulation;

/// <summary>
/// The knobs of one simulated run, all drawn from its seed: cluster size, Raft configuration and
/// fault rates. Printing them is part of a failure report.
/// </summary>
internal sealed class SimOptions
{
    public int Seed { get; init; }

    public int Nodes { get; init; }

    public int ElectionTick { get; init; }

    public int HeartbeatTick { get; init; }

    public bool PreVote { get; init; }

    public bool CheckQuorum { get; init; }

    /// <summary>Lease-based reads (only with check-quorum); the read check then tests the lease.</summary>
    public bool LeaseReads { get; init; }

    /// <summary>
    /// Per mille of node ticks skipped or doubled: clocks that drift. Safety never depends on
    /// time; only the read lease assumes equal rates, so runs with lease reads keep clocks exact.
    /// </summary>
    public int ClockSkewRate { get; init; }

    public ulong MaxSizePerMsg { get; init; }

    public int MaxInflightMsgs { get; init; }

    public ulong MaxUncommittedEntriesSize { get; init; }

    public ulong MaxCommittedSizePerReady { get; init; }

    /// <summary>Ticks of the fault phase, before everything heals.</summary>
    public int FaultTicks { get; init; }

    /// <summary>Ticks after healing within which a leader must emerge and a proposal commit everywhere.</summary>
    public int LivenessTicks { get; init; }

    // Per-message fault rates (per mille).
    public int DropRate { get; init; }

    public int DuplicateRate { get; init; }

    public bool Reorder { get; init; }

    /// <summary>The largest extra delay of a message, in ticks.</summary>
    public int MaxDelay { get; init; }

    // Per-tick event rates (per mille).
    public int ProposeRate { get; init; }

    public int ReadRate { get; init; }

    public int CrashRate { get; init; }

    public int CrashInReadyRate { get; init; }

    /// <summary>Per-tick rate of crashing or isolating the current leader: what makes leaders change with half-replicated tails (the figure 8 of the paper).</summary>
    public int LeaderFaultRate { get; init; }

    public int PartitionRate { get; init; }

    public int ConfChangeRate { get; init; }

    public int TransferRate { get; init; }

    public int CompactRate { get; init; }

    /// <summary>Draws the options of run <paramref name="seed"/>; <paramref name="nodes"/> forces the cluster size when positive.</summary>
    public static SimOptions FromSeed(int seed, int nodes = 0)
    {
        var r = new Random(seed ^ 0x5eed);
        int[] sizes = [1, 3, 5, 7];
        var n = nodes > 0 ? nodes : sizes[r.Next(sizes.Length)];
        var election = r.Next(2) == 0 ? 5 : 10;
        var checkQuorum = r.Next(4) != 0;
        var preVote = r.Next(4) != 0;
        return new SimOptions
        {
            Seed = seed,
            Nodes = n,
            ElectionTick = election,
            HeartbeatTick = r.Next(3) == 0 ? 2 : 1,
            PreVote = preVote,
            CheckQuorum = checkQuorum,
            LeaseReads = checkQuorum && r.Next(3) == 0,
            ClockSkewRate = r.Next(2) == 0 ? 0 : r.Next(100),
            MaxSizePerMsg = r.Next(3) switch { 0 => 0UL, 1 => 64UL, _ => RaftConfig.NoLimit },
            MaxInflightMsgs = r.Next(3) switch { 0 => 1, 1 => 4, _ => 256 },
            MaxUncommittedEntriesSize = r.Next(4) == 0 ? 64UL : 0UL,
            MaxCommittedSizePerReady = r.Next(3) == 0 ? 32UL : 0UL,
            FaultTicks = 100 + r.Next(200),
            // Without pre-vote a voter that missed a membership change (and so campaigns among
            // the wrong voters) keeps raising its term and can delay an election over and over;
            // Raft's randomized timeouts still get through, but with a longer tail.
            LivenessTicks = (preVote ? 40 : 100) * election,
            DropRate = r.Next(4) == 0 ? 0 : r.Next(150),
            DuplicateRate = r.Next(3) == 0 ? 0 : r.Next(80),
            Reorder = r.Next(3) != 0,
            MaxDelay = r.Next(4),
            ProposeRate = 100 + r.Next(500),
            ReadRate = r.Next(200),
            CrashRate = r.Next(3) == 0 ? 0 : r.Next(40),
            CrashInReadyRate = r.Next(3) == 0 ? 0 : r.Next(20),
            LeaderFaultRate = r.Next(3) == 0 ? 0 : r.Next(300),
            PartitionRate = r.Next(3) == 0 ? 0 : r.Next(50),
            ConfChangeRate = r.Next(3) == 0 ? 0 : r.Next(60),
            TransferRate = r.Next(3) == 0 ? 0 : r.Next(30),
            CompactRate = r.Next(3) == 0 ? 0 : r.Next(80),
        };
    }

    public override string ToString() =>
        $"nodes={Nodes} election={ElectionTick} heartbeat={HeartbeatTick} prevote={PreVote} checkquorum={CheckQuorum} lease={LeaseReads} skew={ClockSkewRate} " +
        $"maxmsg={(MaxSizePerMsg == RaftConfig.NoLimit ? "inf" : MaxSizePerMsg.ToString())} inflight={MaxInflightMsgs} maxuncommitted={MaxUncommittedEntriesSize} " +
        $"maxcommitted={MaxCommittedSizePerReady} faultticks={FaultTicks} drop={DropRate} dup={DuplicateRate} reorder={Reorder} delay={MaxDelay} " +
        $"propose={ProposeRate} read={ReadRate} crash={CrashRate}/{CrashInReadyRate}/{LeaderFaultRate} partition={PartitionRate} confchange={ConfChangeRate} transfer={TransferRate} compact={CompactRate}";
}
