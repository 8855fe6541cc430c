import Engine

/// The runners for step types with side effects, configured from the command line.
enum StepRunners {
    static func make(_ options: ServeOptions) -> [String: any StepRunner] {
        [:]
    }
}
