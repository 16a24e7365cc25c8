package io.jiip.cli;

import io.jiip.bench.tool.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./jiip} command line. */
@Command(name = "jiip", mixinStandardHelpOptions = true, version = "jiip 0.1.0",
        description = "jiip: an integratable TCP/IP stack for Java.",
        subcommands = {DemoCommand.class, SimCommand.class, ServeCommand.class, GetCommand.class, PingCommand.class,
            TapBenchCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(BenchCommand.oneLineErrors(cl.getParameterExceptionHandler()));
        System.exit(cl.execute(args));
    }
}
