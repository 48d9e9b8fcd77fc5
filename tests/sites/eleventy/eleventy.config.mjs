export default function (config) {
  config.ignores.add("README.md");
  return { dir: { input: ".", output: "_site" } };
}
