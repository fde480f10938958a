using OrderDapr.Command;

OrderCommandApp.Build(args).Run();
