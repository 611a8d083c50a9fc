using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class ClusterMaintenanceOnEtcd(EtcdFixture server) : ClusterMaintenanceContract(server), IClassFixture<EtcdFixture>;

public sealed class ClusterMaintenanceOnKvasir(KvasirFixture server) : ClusterMaintenanceContract(server), IClassFixture<KvasirFixture>;
