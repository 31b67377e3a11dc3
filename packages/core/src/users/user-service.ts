import type { MembershipRole, PrismaClient, User } from '@shoal/db';
import { conflict, invalid, isUniqueViolation } from '../errors';
import { checkPasswordLength } from './password-policy';
import { hashPassword } from './passwords';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface CreateUserInput {
  email: string;
  password: string;
  name?: string;
  isAdmin?: boolean;
  mustChangePassword?: boolean;
}

export class UserService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: CreateUserInput): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw invalid(`"${input.email}" is not an email address`);
    checkPasswordLength(input.password);
    try {
      return await this.prisma.user.create({
        data: {
          email,
          name: input.name ?? null,
          passwordHash: await hashPassword(input.password),
          isAdmin: input.isAdmin ?? false,
          mustChangePassword: input.mustChangePassword ?? false,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A user with email ${email} already exists`);
      throw error;
    }
  }

  count(): Promise<number> {
    return this.prisma.user.count();
  }

  async addMembership(userId: string, tenantId: string, role: MembershipRole): Promise<void> {
    await this.prisma.membership.upsert({
      where: { userId_tenantId: { userId, tenantId } },
      create: { userId, tenantId, role },
      update: { role },
    });
  }
}
