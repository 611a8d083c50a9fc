using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Member;

namespace Kvasir.Server.Hosting;

/// <summary>
/// The checks behind etcd's /health, /livez and /readyz (etcd 3.5.11+'s etcdhttp/health.go): active
/// alarms, a known leader, and a read served locally (serializable) or through ReadIndex
/// (linearizable). Each returns null when it passes, else the reason.
/// </summary>
public sealed class HealthChecks(MemberServer member)
{
    /// <summary>The /health verdict: alarms (minus <paramref name="excludedAlarms"/>), then the leader (unless serializable), then a read.</summary>
    public async Task<(bool Healthy, string Reason)> HealthAsync(IReadOnlyCollection<string> excludedAlarms, bool serializable, CancellationToken cancellationToken)
    {
        foreach (var alarm in member.Alarms.Get())
        {
            var name = alarm.Alarm.ToString().ToUpperInvariant();
            if (excludedAlarms.Contains(name))
            {
                continue;
            }

            return (false, alarm.Alarm switch
            {
                AlarmType.Nospace => "ALARM NOSPACE",
                AlarmType.Corrupt => "ALARM CORRUPT",
                _ => "ALARM UNKNOWN",
            });
        }

        if (!serializable && member.LeaderId == 0)
        {
            return (false, "RAFT NO LEADER");
        }

        return await ReadAsync(serializable, cancellationToken).ConfigureAwait(false) is { } error
            ? (false, "RANGE ERROR:" + error)
            : (true, "");
    }

    /// <summary>A one-key, keys-only Range as etcd's health check sends it; null when it succeeds, else the error text.</summary>
    public async Task<string?> ReadAsync(bool serializable, CancellationToken cancellationToken)
    {
        try
        {
            if (!serializable)
            {
                await member.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
            }

            var result = member.Store.Range(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFrom(0), KeysOnly = true, Limit = 1, Serializable = serializable });
            return result.Error?.Message;
        }
        catch (RpcException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException)
        {
            return "context canceled";
        }
        catch (ObjectDisposedException)
        {
            return Api.Errors.EtcdErrors.Stopped.Message;
        }
    }

    /// <summary>readyz's data_corruption check.</summary>
    public string? DataCorruption() => member.Alarms.Corrupt ? "alarm activated: CORRUPT" : null;

    /// <summary>readyz's non_learner check (etcd 3.6): a single member is never a learner.</summary>
    public static string? NonLearner() => null;
}
