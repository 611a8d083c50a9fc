using System.Net;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Services;
using Kvasir.Server.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>
/// --quota-backend-bytes on a real kvasir: crossing it raises NOSPACE; writes fail with etcd's error
/// while reads and deletes work and /health reports the alarm; compaction, defragmentation and
/// disarming the alarm make writes work again. The HTTP endpoints and metrics along the way.
/// </summary>
public sealed class QuotaAndHealthTests
{
    private const long Quota = 256 * 1024;

    [Fact]
    public async Task Quota_Crossed_NoSpaceUntilCompactDefragAndDisarm()
    {
        await using var member = await KvasirProcess.StartAsync(["--quota-backend-bytes", Quota.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var kv = new Kv(member.Endpoint);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var value = new string('x', 16 * 1024);
        (StatusCode Code, string Message) refused = (StatusCode.OK, "");
        for (var i = 0; i < 200 && refused.Code == StatusCode.OK; i++)
        {
            refused = await kv.StatusOfAsync(EtcdMethods.Put, new PutRequest { Key = Kv.B($"q/{i}"), Value = Kv.B(value) });
        }

        Assert.Equal((StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded"), refused);

        // As in etcd, a put found over the quota when it applies is refused without an alarm; the
        // next one, checked before it is proposed, raises NOSPACE.
        await Poll.UntilAsync(
            async () =>
            {
                await kv.StatusOfAsync(EtcdMethods.Put, new PutRequest { Key = Kv.B("q/more"), Value = Kv.B(value) });
                return (await kv.CallAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get })).Alarms.Count > 0;
            },
            TimeSpan.FromSeconds(20),
            "the NOSPACE alarm");
        var alarms = await kv.CallAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get });
        var alarm = Assert.Single(alarms.Alarms);
        Assert.Equal(AlarmType.Nospace, alarm.Alarm);
        var status = await kv.CallAsync(EtcdMethods.Status, new StatusRequest());
        Assert.Contains($"memberID:{alarm.MemberID} alarm:NOSPACE ", status.Errors);

        // Capped: even a tiny put is refused; reads and deletes go on.
        Assert.Equal((StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded"), await kv.StatusOfAsync(EtcdMethods.Put, new PutRequest { Key = Kv.B("small"), Value = Kv.B("v") }));
        Assert.True((await kv.RangeAsync("q/", "q0")).Count > 0);
        using (var health = await http.GetAsync($"{member.ClientUrl}/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n", await health.Content.ReadAsStringAsync());
        }

        Assert.Equal("{\"health\":\"true\",\"reason\":\"\"}", await http.GetStringAsync($"{member.ClientUrl}/health?exclude=NOSPACE"));
        var deleted = await kv.CallAsync(EtcdMethods.DeleteRange, new DeleteRangeRequest { Key = Kv.B("q/"), RangeEnd = Kv.B("q0") });
        Assert.True(deleted.Deleted > 0);

        await kv.CallAsync(EtcdMethods.Compact, new CompactionRequest { Revision = deleted.Header.Revision, Physical = true });
        await kv.CallAsync(EtcdMethods.Defragment, new DefragmentRequest());
        Assert.True((await kv.CallAsync(EtcdMethods.Status, new StatusRequest())).DbSize < Quota);
        await kv.CallAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = alarm.MemberID, Alarm = AlarmType.Nospace });
        Assert.Empty((await kv.CallAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get })).Alarms);
        await kv.PutAsync("after", "disarm");
        Assert.Equal("{\"health\":\"true\",\"reason\":\"\"}", await http.GetStringAsync($"{member.ClientUrl}/health"));

        var metrics = await http.GetStringAsync($"{member.ClientUrl}/metrics");
        foreach (var line in new[]
        {
            "etcd_server_has_leader 1", "etcd_server_is_leader 1", $"etcd_server_quota_backend_bytes {Quota}", "etcd_server_leader_changes_seen_total 1",
            "etcd_server_version{server_version=\"3.4.23\"} 1", "grpc_server_handled_total{grpc_code=\"ResourceExhausted\",grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
            "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"}", "etcd_disk_backend_commit_duration_seconds_count", "etcd_mvcc_db_total_size_in_bytes ",
            "etcd_mvcc_db_total_size_in_use_in_bytes ", "etcd_debugging_mvcc_current_revision ", "etcd_debugging_mvcc_compact_revision ", "etcd_server_proposals_committed_total ",
            "etcd_server_proposals_applied_total ", "etcd_server_proposals_pending 0", "etcd_server_proposals_failed_total ", "etcd_server_id{server_id=\"", "grpc_server_started_total{",
            "etcd_server_health_failures 1",
        })
        {
            Assert.Contains(line, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HealthEndpoints_HealthyMember_AnswerAsEtcd()
    {
        await using var member = await KvasirProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var url = member.ClientUrl;
        Assert.Equal("{\"health\":\"true\",\"reason\":\"\"}", await http.GetStringAsync($"{url}/health?serializable=true"));
        Assert.Equal("ok\n", await http.GetStringAsync($"{url}/livez"));
        Assert.Equal("ok\n", await http.GetStringAsync($"{url}/readyz"));
        Assert.Equal("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n", await http.GetStringAsync($"{url}/readyz?verbose"));
        Assert.Equal("[+]serializable_read ok\n[+]non_learner ok\nok\n", await http.GetStringAsync($"{url}/readyz?verbose&exclude=data_corruption&exclude=linearizable_read"));
        Assert.Equal("ok\n", await http.GetStringAsync($"{url}/readyz/linearizable_read"));
        Assert.Equal("ok\n", await http.GetStringAsync($"{url}/livez/serializable_read"));
        using var post = await http.PostAsync($"{url}/health", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Contains("\"etcdserver\":\"3.4.23\"", await http.GetStringAsync($"{url}/version"), StringComparison.Ordinal);
    }
}
