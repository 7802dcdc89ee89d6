from bench.search_eval.evaluate import main

main()
