// Style gate for the jiip sources (issue 14), run by .ci/check-style.sh:
//   java tools/style/StyleCheck.java [root]
// Scans <root>/<module>/src/**/*.java and prints "path:line: rule: text" for
//   line-length   a line longer than 120 characters;
//   qualified     a fully qualified type name inline in code (outside package/import lines, comments and string
//                 literals); a line may keep one when a name clash leaves no choice, marked "// style: qualified";
//   method-length a method (or constructor) body longer than 100 lines: a warning only, listed at the end.
// Exits 1 when there is a line-length or qualified violation. Single file, no dependencies (JDK source launcher).

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class StyleCheck {
    static final List<String> MODULES = List.of("jiip-core", "jiip-sim", "jiip-io", "jiip-bench", "jiip-cli");
    static final int MAX_COLUMNS = 120;
    static final int MAX_METHOD_LINES = 100;
    static final String QUALIFIED_MARKER = "// style: qualified";

    /** Package roots that make a dotted name a qualified type even when no file in the tree declares it. */
    static final Set<String> ROOTS = Set.of("java", "javax", "jdk", "sun", "com", "org", "io", "picocli", "net");
    /** A chain of lower-case segments ending in an upper-case one, not itself after a dot: {@code a.b.C}. */
    static final Pattern DOTTED = Pattern.compile(
            "(?<![\\w$.])([a-z_][\\w$]*(?:\\s*\\.\\s*[a-z_][\\w$]*)*)\\s*\\.\\s*([A-Z][\\w$]*)");
    static final Pattern PACKAGE_OR_IMPORT = Pattern.compile("^\\s*(package|import)\\b.*");
    static final Pattern CONTROL =
            Pattern.compile("^(else\\s+)?(if|for|while|switch|catch|synchronized|try|do)\\b.*", Pattern.DOTALL);
    static final Pattern ANNOTATION = Pattern.compile("@[\\w.]+(\\s*\\([^()]*\\))?");
    static final Pattern METHOD_END = Pattern.compile(".*\\)\\s*(throws\\s+[\\w.$<>,\\s]+)?$", Pattern.DOTALL);
    static final Pattern NAME_BEFORE_PAREN = Pattern.compile("([\\w$]+)\\s*\\(");

    final List<String> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final Set<String> knownPackages = new HashSet<>();

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<Path> files = new ArrayList<>();
        for (String module : MODULES) {
            Path src = root.resolve(module).resolve("src");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(src)) {
                walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            System.err.println("style: no sources under " + root.toAbsolutePath() + "/" + MODULES + "/src");
            System.exit(2);
        }
        StyleCheck check = new StyleCheck();
        List<List<String>> codes = new ArrayList<>();
        for (Path file : files) {
            List<String> raw = Files.readAllLines(file);
            List<String> code = codeOnly(raw);
            codes.add(code);
            check.collectPackages(code);
        }
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            check.checkFile(root.relativize(file).toString(), Files.readAllLines(file), codes.get(i));
        }
        check.errors.forEach(System.out::println);
        if (!check.warnings.isEmpty()) {
            System.out.println("style: " + check.warnings.size() + " method(s) over " + MAX_METHOD_LINES
                    + " lines (warning only):");
            check.warnings.forEach(System.out::println);
        }
        System.out.println("style: " + files.size() + " files, " + check.errors.size() + " violation(s), "
                + check.warnings.size() + " long-method warning(s)");
        System.exit(check.errors.isEmpty() ? 0 : 1);
    }

    /** Remembers every package a file declares or imports from, so a dotted name can be recognised as qualified. */
    void collectPackages(List<String> code) {
        for (String line : code) {
            Matcher m = Pattern.compile("^\\s*(?:package|import)\\s+(?:static\\s+)?([\\w.]+)").matcher(line);
            if (m.find()) {
                String name = m.group(1);
                String[] parts = name.split("\\.");
                StringBuilder prefix = new StringBuilder();
                for (String part : parts) {
                    if (part.isEmpty() || !Character.isLowerCase(part.charAt(0))) {
                        break;
                    }
                    if (prefix.length() > 0) {
                        prefix.append('.');
                    }
                    prefix.append(part);
                    knownPackages.add(prefix.toString());
                }
            }
        }
    }

    void checkFile(String path, List<String> raw, List<String> code) {
        for (int i = 0; i < raw.size(); i++) {
            String line = raw.get(i);
            int columns = line.codePointCount(0, line.length());
            if (columns > MAX_COLUMNS) {
                errors.add(path + ":" + (i + 1) + ": line-length: " + columns + " > " + MAX_COLUMNS + " columns");
            }
            String c = code.get(i);
            if (PACKAGE_OR_IMPORT.matcher(c).matches() || line.contains(QUALIFIED_MARKER)) {
                continue;
            }
            Matcher m = DOTTED.matcher(c);
            while (m.find()) {
                String prefix = m.group(1).replaceAll("\\s+", "");
                if (isPackage(prefix)) {
                    errors.add(path + ":" + (i + 1) + ": qualified: " + prefix + "." + m.group(2));
                }
            }
        }
        checkMethodLengths(path, code);
    }

    boolean isPackage(String prefix) {
        if (knownPackages.contains(prefix)) {
            return true;
        }
        int dot = prefix.indexOf('.');
        return dot > 0 && ROOTS.contains(prefix.substring(0, dot));
    }

    /** Tracks braces on the comment- and literal-free code; a block whose header ends like a method is one. */
    void checkMethodLengths(String path, List<String> code) {
        record Block(boolean method, String name, int startLine, int parenDepth, String header) { }
        Deque<Block> blocks = new ArrayDeque<>();
        StringBuilder header = new StringBuilder();
        int parenDepth = 0;
        for (int i = 0; i < code.size(); i++) {
            String line = code.get(i);
            if (PACKAGE_OR_IMPORT.matcher(line).matches()) {
                continue;
            }
            for (int k = 0; k < line.length(); k++) {
                char ch = line.charAt(k);
                switch (ch) {
                    case '(' -> { parenDepth++; header.append(ch); }
                    case ')' -> { parenDepth--; header.append(ch); }
                    case ';' -> {
                        if (parenDepth == 0) {
                            header.setLength(0);
                        } else {
                            header.append(ch);
                        }
                    }
                    case '{' -> {
                        String h = header.toString().strip();
                        String name = methodName(h);
                        blocks.push(new Block(name != null, name, i + 1, parenDepth, h));
                        header.setLength(0);
                        parenDepth = 0;
                    }
                    case '}' -> {
                        if (!blocks.isEmpty()) {
                            Block b = blocks.pop();
                            parenDepth = b.parenDepth();
                            int length = i + 1 - b.startLine() + 1;
                            if (b.method() && length > MAX_METHOD_LINES) {
                                warnings.add(path + ":" + b.startLine() + ": method-length: " + b.name() + " is "
                                        + length + " lines (> " + MAX_METHOD_LINES + ")");
                            }
                        }
                        header.setLength(0);
                    }
                    default -> header.append(ch);
                }
            }
            header.append('\n');
        }
    }

    /** The method or constructor name if a block header declares one, else null. */
    static String methodName(String header) {
        String h = ANNOTATION.matcher(header).replaceAll(" ").strip();
        if (h.isEmpty() || h.contains("->") || h.contains("=") || CONTROL.matcher(h).matches()
                || !METHOD_END.matcher(h).matches() || h.matches("(?s).*\\bnew\\s.*")) {
            return null;
        }
        Matcher m = NAME_BEFORE_PAREN.matcher(h);
        if (!m.find()) {
            return null;
        }
        String name = m.group(1);
        return Set.of("if", "for", "while", "switch", "catch", "synchronized", "try", "return").contains(name)
                ? null : name;
    }

    /**
     * The source with comments blanked and string, text-block and char literal contents blanked (quotes kept),
     * line for line, so positions and line numbers stay.
     */
    static List<String> codeOnly(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        boolean blockComment = false;
        boolean textBlock = false;
        for (String line : lines) {
            StringBuilder b = new StringBuilder(line.length());
            int k = 0;
            int n = line.length();
            while (k < n) {
                char ch = line.charAt(k);
                if (blockComment) {
                    if (line.startsWith("*/", k)) {
                        blockComment = false;
                        b.append("  ");
                        k += 2;
                    } else {
                        b.append(' ');
                        k++;
                    }
                } else if (textBlock) {
                    if (line.startsWith("\\", k) && k + 1 < n) {
                        b.append("  ");
                        k += 2;
                    } else if (line.startsWith("\"\"\"", k)) {
                        textBlock = false;
                        b.append("\"\"\"");
                        k += 3;
                    } else {
                        b.append(' ');
                        k++;
                    }
                } else if (line.startsWith("//", k)) {
                    b.append(" ".repeat(n - k));
                    k = n;
                } else if (line.startsWith("/*", k)) {
                    blockComment = true;
                    b.append("  ");
                    k += 2;
                } else if (line.startsWith("\"\"\"", k)) {
                    textBlock = true;
                    b.append("\"\"\"");
                    k += 3;
                } else if (ch == '"' || ch == '\'') {
                    b.append(ch);
                    k++;
                    while (k < n && line.charAt(k) != ch) {
                        int step = line.charAt(k) == '\\' && k + 1 < n ? 2 : 1;
                        b.append(" ".repeat(step));
                        k += step;
                    }
                    if (k < n) {
                        b.append(ch);
                        k++;
                    }
                } else {
                    b.append(ch);
                    k++;
                }
            }
            out.add(b.toString());
        }
        return out;
    }
}
