using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class WatchOnEtcd(EtcdFixture server) : WatchContract(server), IClassFixture<EtcdFixture>;

public sealed class WatchOnKvasir(KvasirFixture server) : WatchContract(server), IClassFixture<KvasirFixture>;
