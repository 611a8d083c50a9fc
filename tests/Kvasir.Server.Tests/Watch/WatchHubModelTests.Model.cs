using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Tests.Watch.Support;

namespace Kvasir.Server.Tests.Watch;

/// <summary>The model: the store's history as the writes produced it, and the checks of what each stream received against it.</summary>
public sealed partial class WatchHubModelTests
{
    private sealed class Model(HubHarness h)
    {
        private readonly List<(long Revision, List<Event> Events)> _log = [];

        public long CompactedOnce { get; set; }

        /// <summary>Every revision compacted at.</summary>
        public HashSet<long> Compactions { get; } = [];

        public int Revisions => _log.Count;

        public int EventsChecked { get; private set; }

        public int ProgressChecked { get; private set; }

        /// <summary>Records the write that made <paramref name="revision"/> (nothing when it changed nothing).</summary>
        public void Record(long revision)
        {
            if (_log.Count > 0 && _log[^1].Revision == revision)
            {
                return;
            }

            var read = h.Store.ReadEvents(revision, revision);
            if (read.Ok && read.Response!.Events.Count > 0)
            {
                _log.Add((revision, read.Response.Events));
            }
            else if (revision > 1)
            {
                // Compaction cannot have reached the newest revision: its events are always readable.
                Assert.Fail($"revision {revision} has no readable events");
            }
        }

        public void Receive(StreamModel s, List<WatchResponse> responses)
        {
            foreach (var r in responses)
            {
                if (r.Created)
                {
                    var spec = s.Pending.Dequeue();
                    if (r.Canceled)
                    {
                        Assert.Equal(-1, r.WatchId);
                        continue;
                    }

                    var from = spec.Request.StartRevision == 0 ? r.Header.Revision + 1 : spec.Request.StartRevision;
                    var w = new ModelWatcher(spec, r.WatchId, from);
                    s.Active.Add(r.WatchId, w);
                    s.All.Add(w);
                    continue;
                }

                if (r.WatchId == -1)
                {
                    // RequestProgress: every watcher of the stream has everything through the revision.
                    foreach (var w in s.Active.Values)
                    {
                        CheckProgress(w, r.Header.Revision);
                    }

                    continue;
                }

                if (!s.Active.TryGetValue(r.WatchId, out var watcher))
                {
                    // The cancel of a watcher compacted meanwhile: it stays on its stream until canceled, as in etcd.
                    Assert.True(r.Canceled && r.CompactRevision == 0, $"a response for watcher {r.WatchId}, which has ended: {r}");
                    Assert.Contains(s.All, w => w.Id == r.WatchId && w.CompactRevision != 0);
                    continue;
                }

                if (r.Canceled)
                {
                    watcher.Canceled = true;
                    watcher.CompactRevision = r.CompactRevision;
                    if (r.CompactRevision != 0)
                    {
                        Assert.Equal(0, r.Header.Revision);
                        Assert.All(watcher.Received, e => Assert.True(e.Kv.ModRevision < r.CompactRevision));
                    }

                    s.Active.Remove(r.WatchId);
                    continue;
                }

                if (r.Events.Count == 0)
                {
                    CheckProgress(watcher, r.Header.Revision);
                    continue;
                }

                // A revision is never split between responses; revisions only go forward.
                Assert.True(r.Events[0].Kv.ModRevision > watcher.LastRevisionReceived, $"watcher {r.WatchId}: revision {r.Events[0].Kv.ModRevision} after {watcher.LastRevisionReceived}");
                Assert.True(r.Header.Revision >= r.Events[^1].Kv.ModRevision);
                watcher.LastRevisionReceived = r.Events[^1].Kv.ModRevision;
                watcher.Received.AddRange(r.Events);
            }
        }

        public int CheckFinal(List<StreamModel> streams)
        {
            var count = 0;
            foreach (var s in streams)
            {
                foreach (var w in s.All)
                {
                    var expected = Expected(w, long.MaxValue);
                    var matched = Match(w, expected, w.Received);
                    if (!w.Canceled)
                    {
                        Assert.True(expected.Skip(matched).All(Optional), $"watcher {w.Id} ({w.Spec.Request}): {expected.Count - matched} events never came");
                    }

                    EventsChecked += w.Received.Count;
                    count++;
                }
            }

            return count;
        }

        /// <summary>
        /// A delete at or below a compacted revision may be missing: compaction drops a tombstone at
        /// the compacted revision from the backend (as etcd's does), so a watcher that starts there
        /// and is caught up from the backend after the compaction never sees it.
        /// </summary>
        private bool Optional(Event e) => e.Type == Event.Types.EventType.Delete && Compactions.Contains(e.Kv.ModRevision);

        /// <summary>Checks that <paramref name="received"/> is <paramref name="expected"/> in order, optional events aside; returns how many expected events it covers.</summary>
        private int Match(ModelWatcher w, List<Event> expected, List<Event> received)
        {
            var i = 0;
            foreach (var got in received)
            {
                while (i < expected.Count && Optional(expected[i]) && !(expected[i].Kv.ModRevision == got.Kv.ModRevision && expected[i].Kv.Key == got.Kv.Key))
                {
                    i++;
                }

                Assert.True(i < expected.Count, $"watcher {w.Id} ({w.Spec.Request}): got {got} beyond its events");
                CheckEvent(w, expected[i], got);
                i++;
            }

            return i;
        }

        private void CheckProgress(ModelWatcher w, long revision)
        {
            Assert.True(revision <= h.Hub.NotifiedRevision);
            var owed = Expected(w, revision);
            var given = w.Received.Where(e => e.Kv.ModRevision <= revision).ToList();
            var matched = Match(w, owed, given);
            if (!owed.Skip(matched).All(Optional))
            {
                Assert.Fail($"watcher {w.Id} ({w.Spec.Request}, from {w.From}): progress at {revision} with {given.Count} of {owed.Count} events sent");
            }

            ProgressChecked++;
        }

        private List<Event> Expected(ModelWatcher w, long through)
        {
            var events = new List<Event>();
            foreach (var (revision, all) in _log)
            {
                if (revision < w.From || revision > through)
                {
                    continue;
                }

                events.AddRange(all.Where(w.Spec.Accepts));
            }

            return events;
        }

        private void CheckEvent(ModelWatcher w, Event want, Event got)
        {
            var where = $"watcher {w.Id} at revision {want.Kv.ModRevision}";
            Assert.True(want.Type == got.Type, where);
            Assert.True(want.Kv.Equals(got.Kv), $"{where}: {want.Kv} vs {got.Kv}");
            var prev = w.Spec.Request.PrevKv ? PrevKv(want) : null;
            if (prev is null)
            {
                Assert.True(got.PrevKv is null, $"{where}: unexpected prev_kv {got.PrevKv}");
            }
            else if (got.PrevKv is null)
            {
                // Read as the event is sent: compaction may have taken it since.
                Assert.True(CompactedOnce > prev.ModRevision, $"{where}: prev_kv missing");
            }
            else
            {
                Assert.True(prev.Equals(got.PrevKv), $"{where}: prev_kv {got.PrevKv} instead of {prev}");
            }
        }

        /// <summary>The key's value just before the event, from the history: the last put before it, unless a delete came after that put.</summary>
        private KeyValue? PrevKv(Event e)
        {
            KeyValue? prev = null;
            foreach (var (revision, all) in _log)
            {
                if (revision >= e.Kv.ModRevision)
                {
                    break;
                }

                foreach (var earlier in all)
                {
                    if (earlier.Kv.Key == e.Kv.Key)
                    {
                        prev = earlier.Type == Event.Types.EventType.Put ? earlier.Kv : null;
                    }
                }
            }

            return prev;
        }
    }
}
