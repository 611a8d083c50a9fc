using Kvasir.Raft;
using Kvasir.Storage.Wal;

namespace Kvasir.Server.Member;

// The loop itself: drain the inbox into Raft, then drain Ready in the order its contract asks.
internal sealed partial class RaftNode
{
    // The Ready handed out and not yet advanced: its WAL write (and fsync when MustSync) is under way.
    private Ready? _ready;

    // Committed entries of _ready that may be among its own Entries: applied only once those are durable.
    private List<Entry>? _deferred;

    // The configuration a conf change just handed off made; checked for a sole voter after Advance.
    private ConfState? _campaignAfterAdvance;

    private void Run()
    {
        try
        {
            CampaignIfSoleVoter(_log.InitialState().ConfState);
            var ended = false;
            while (!ended)
            {
                _signal.Wait();
                _signal.Reset();
                int ticks;
                bool stopping;
                Task? io;
                lock (_gate)
                {
                    (_proposals, _proposalsDraining) = (_proposalsDraining, _proposals);
                    (_reads, _readsDraining) = (_readsDraining, _reads);
                    (_actions, _actionsDraining) = (_actionsDraining, _actions);
                    ticks = _ticks;
                    _ticks = 0;
                    stopping = _stopping;
                    io = _io;
                    _io = null;
                }

                Feed(ticks);
                if (io is not null)
                {
                    // A failed WAL write or fsync is fatal: the exception ends the loop.
                    io.GetAwaiter().GetResult();
                    FinishReady();
                }

                while (_ready is null && _node.HasReady())
                {
                    StartReady(_node.Ready());
                }

                ended = stopping && _ready is null;
            }
        }
        catch (Exception e)
        {
            _host.OnFatal(e);
        }
        finally
        {
            _exited.TrySetResult();
        }
    }

    /// <summary>Gives Raft what the inbox held: ticks, proposals (one append for all of them), reads, actions.</summary>
    private void Feed(int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            _node.Tick();
        }

        foreach (var p in _proposalsDraining)
        {
            var result = _node.Propose(p.Data);
            if (result != ProposalResult.Accepted)
            {
                _host.OnProposalRefused(p.Id, result);
            }
        }

        _proposalsDraining.Clear();
        foreach (var context in _readsDraining)
        {
            var result = _node.ReadIndex(context);
            if (result != ProposalResult.Accepted)
            {
                _host.OnReadIndexRefused(context, result);
            }
        }

        _readsDraining.Clear();
        foreach (var action in _actionsDraining)
        {
            action(_node);
        }

        _actionsDraining.Clear();
    }

    /// <summary>
    /// Steps 1–4 of the Ready contract up to the WAL: soft and hard state out, read states out,
    /// committed entries already durable to the applier, then the append. When the append must be
    /// synced (or must wait for room in the WAL's batch), the Ready stays outstanding until it is.
    /// </summary>
    private void StartReady(Ready rd)
    {
        if (rd.SoftState is { } soft)
        {
            _host.OnSoftState(soft);
        }

        if (rd.Snapshot is not null)
        {
            throw new InvalidOperationException("raft handed out a leader's snapshot to install; Kvasir members run single-member clusters only for now and cannot install one");
        }

        // EarlyMessages and Messages go to peers; a single-member cluster has none (the peer transport comes with membership).
        if (rd.HardState is { } hard)
        {
            _host.OnHardState(hard);
        }

        if (rd.ReadStates.Count > 0)
        {
            _host.OnReadStates(rd.ReadStates);
        }

        _ready = rd;
        var taken = true;
        var appended = rd.Entries.Count > 0 || rd.HardState is not null;
        ValueTask<WalPosition> append = default;
        if (appended)
        {
            // The append goes first: the log's order is set when the WAL takes it, so the hard state
            // that commits the entries handed off below precedes anything written after them (a
            // snapshot marker in particular).
            append = _wal.AppendAsync(rd.HardState, rd.Entries, rd.MustSync, CancellationToken.None);
            taken = append.IsCompleted;
            if (rd.Entries.Count > 0)
            {
                _log.Append(rd.Entries);
            }

            if (rd.HardState is { } hs)
            {
                _log.SetHardState(hs);
            }
        }

        // Committed entries before this Ready's first new entry were persisted by earlier, advanced
        // Readies: durable, so they may be applied now (once the append above is taken). Any at or
        // after it wait for this Ready's fsync, so the backend never runs ahead of the WAL.
        var firstNew = rd.Entries.Count > 0 ? rd.Entries[0].Index : ulong.MaxValue;
        var committed = rd.CommittedEntries;
        if (committed.Count > 0)
        {
            if (!taken)
            {
                // The WAL's batch was full: nothing is applied before the hard state that commits it is in the log.
                _deferred = [.. committed];
            }
            else if (committed[^1].Index < firstNew)
            {
                HandOff(committed);
            }
            else
            {
                var now = new List<Entry>();
                var later = new List<Entry>();
                foreach (var e in committed)
                {
                    (e.Index < firstNew ? now : later).Add(e);
                }

                if (now.Count > 0)
                {
                    HandOff(now);
                }

                _deferred = later;
            }
        }

        // Only now wait for durability: the applier works on the entries handed off above while the
        // WAL syncs (with FlushOnCaller the sync runs right here, on this thread).
        var io = !appended ? Task.CompletedTask : rd.MustSync ? PersistAsync(append) : TakenAsync(append);
        if (io.IsCompleted)
        {
            io.GetAwaiter().GetResult();
            FinishReady();
        }
        else
        {
            io.ContinueWith(static (t, s) => ((RaftNode)s!).OnIoDone(t), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Steps 3–5 once the Ready is durable: messages (none yet), the deferred committed entries, Advance.</summary>
    private void FinishReady()
    {
        if (_deferred is { Count: > 0 } deferred)
        {
            HandOff(deferred);
        }

        _deferred = null;
        _ready = null;
        _node.Advance();

        // Raft lets a node campaign only once its conf changes count as applied: after Advance.
        if (_campaignAfterAdvance is { } confState)
        {
            _campaignAfterAdvance = null;
            CampaignIfSoleVoter(confState);
        }
    }

    /// <summary>Applies conf changes to Raft here (the loop owns the node), then hands the entries to the applier.</summary>
    private void HandOff(IReadOnlyList<Entry> entries)
    {
        ConfState? confState = null;
        ulong confIndex = 0;
        foreach (var e in entries)
        {
            try
            {
                if (e.Type == EntryType.EntryConfChange)
                {
                    confState = _node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
                    confIndex = e.Index;
                }
                else if (e.Type == EntryType.EntryConfChangeV2)
                {
                    confState = _node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data));
                    confIndex = e.Index;
                }
            }
            catch (ConfChangeException)
            {
                // etcd applies a refused change as a no-op; the applier answers its proposer.
            }
        }

        _host.Apply(new ApplyBatch(entries, confState, confIndex));
        if (confState is not null)
        {
            _campaignAfterAdvance = confState;
        }
    }

    /// <summary>
    /// A cluster whose only voter is this node needs no election timeout to pass: it campaigns at
    /// once (at start, and when the bootstrap conf change makes it the sole voter), and wins.
    /// </summary>
    private void CampaignIfSoleVoter(ConfState confState)
    {
        if (confState.Voters.Count == 1 && confState.Voters[0] == _node.Id && confState.VotersOutgoing.Count == 0)
        {
            _node.Campaign();
        }
    }

    private async Task PersistAsync(ValueTask<WalPosition> append)
    {
        var position = await append.ConfigureAwait(false);
        await _wal.WaitDurableAsync(position, CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task TakenAsync(ValueTask<WalPosition> append) => await append.ConfigureAwait(false);
}
