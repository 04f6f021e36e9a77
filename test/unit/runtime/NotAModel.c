/*===- NotAModel.c - A shared library that is not a dlc model, for loader tests ===*/
int not_a_model_answer(void) { return 42; }
