// kvasir: one member of a Kvasir cluster.
return await Kvasir.Server.KvasirMain.RunAsync(args);
