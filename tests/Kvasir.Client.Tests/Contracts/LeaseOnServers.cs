using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class LeaseOnEtcd(EtcdFixture server) : LeaseContract(server), IClassFixture<EtcdFixture>;

public sealed class LeaseOnKvasir(KvasirFixture server) : LeaseContract(server), IClassFixture<KvasirFixture>;
