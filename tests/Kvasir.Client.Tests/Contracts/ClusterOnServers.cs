using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class FailoverOnEtcd(EtcdClusterFixture cluster) : FailoverContract(cluster), IClassFixture<EtcdClusterFixture>;

[SkipServer(Skips.KvasirSingleMember)]
public sealed class FailoverOnKvasir(KvasirClusterFixture cluster) : FailoverContract(cluster), IClassFixture<KvasirClusterFixture>;

public sealed class NoLeaderOnEtcd(EtcdClusterFixture cluster) : NoLeaderContract(cluster), IClassFixture<EtcdClusterFixture>;

[SkipServer(Skips.KvasirSingleMember)]
public sealed class NoLeaderOnKvasir(KvasirClusterFixture cluster) : NoLeaderContract(cluster), IClassFixture<KvasirClusterFixture>;
