using Kvasir.Storage.Mvcc;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

/// <summary>What the applier applies onto and whom it tells. Built once by the member.</summary>
internal sealed class ApplierParts
{
    public required MvccStore Store { get; init; }

    public required ILeaseApplier Leases { get; init; }

    public required IWatchNotifier Watches { get; init; }

    public required AlarmStore Alarms { get; init; }

    public required MemberRegistry Members { get; init; }

    public required BackendQuota Quota { get; init; }

    public required WaitRegistry Waits { get; init; }

    public required MemberMetrics Metrics { get; init; }

    public required ILogger Log { get; init; }

    /// <summary>After each batch (applier thread).</summary>
    public required Action<ApplyBatch> OnBatchApplied { get; init; }

    /// <summary>The applier cannot go on: the member must stop.</summary>
    public required Action<Exception> OnFatal { get; init; }
}
